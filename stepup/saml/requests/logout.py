"""The LogoutRequest's own check (a NameID) and :func:`validate_logout_request`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from stepup.saml.requests.checks import check_message, claim
from stepup.saml.requests.values import (
    SAML,
    SAMLP,
    LogoutRequestInfo,
    RegisteredSp,
    RequestRefused,
    SamlHttpInput,
)


def validate_logout_request(
    data: SamlHttpInput,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    claim_request_id: Callable[[str, str, datetime], bool],
    now: datetime,
    clock_skew: timedelta,
) -> LogoutRequestInfo:
    """The same checks for a ``samlp:LogoutRequest`` (Single Logout from an SP)."""
    checked = check_message(
        data, "LogoutRequest", lookup_sp=lookup_sp, now=now, clock_skew=clock_skew
    )
    name_id = checked.root.find(f"{{{SAML}}}NameID")
    if name_id is None or not (name_id.text or "").strip():
        raise RequestRefused(
            "malformed",
            "The logout request names no NameID.",
            **checked.ctx,
        )
    claim(checked, claim_request_id, clock_skew)
    return LogoutRequestInfo(
        request_id=checked.request_id,
        sp_entity_id=checked.issuer,
        name_id=name_id.text.strip(),
        session_indexes=tuple(
            (el.text or "").strip() for el in checked.root.findall(f"{{{SAMLP}}}SessionIndex")
        ),
        relay_state=data.relay_state,
        binding=data.binding,
        xml=checked.raw.decode("utf-8", errors="replace"),
    )
