"""The LogoutRequest's own checks (a signature, a NameID) and :func:`validate_logout_request`.

SAML's profiles require a LogoutRequest to be authenticated: it must be signed, whatever
the SP's "requests signed" setting, and an SP with no signing certificate registered
cannot send one at all (idbridge's own logout is unaffected).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from stepup.saml.requests.checks import Checked, check_message, claim
from stepup.saml.requests.decoding import element_text, only_child
from stepup.saml.requests.values import (
    SAML,
    SAMLP,
    LogoutRequestInfo,
    RegisteredSp,
    RequestRefused,
    SamlHttpInput,
    refusals_attributed_to,
)


def validate_logout_request(
    data: SamlHttpInput,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    claim_request_id: Callable[[str, str, datetime], bool],
    now: datetime,
    clock_skew: timedelta,
) -> LogoutRequestInfo:
    """The same checks for a ``samlp:LogoutRequest`` (Single Logout from an SP), which
    must be signed."""
    checked = check_message(
        data,
        "LogoutRequest",
        lookup_sp=lookup_sp,
        now=now,
        clock_skew=clock_skew,
        signature_required=True,
    )
    name_id, session_indexes = _subject(checked)
    claim(checked, claim_request_id, clock_skew)
    return LogoutRequestInfo(
        request_id=checked.request_id,
        sp_entity_id=checked.issuer,
        name_id=name_id,
        session_indexes=session_indexes,
        relay_state=data.relay_state,
        binding=data.binding,
        xml=checked.raw.decode("utf-8", errors="replace"),
    )


def _subject(checked: Checked) -> tuple[str, tuple[str, ...]]:
    """Who is to be logged out: the NameID and the SessionIndexes, each read whole."""
    root = checked.root
    with refusals_attributed_to(checked.issuer, checked.request_id):
        name_id_el = only_child(root, f"{{{SAML}}}NameID", "NameID")
        name_id = element_text(name_id_el, "NameID") if name_id_el is not None else ""
        session_indexes = tuple(
            element_text(el, "SessionIndex") for el in root.findall(f"{{{SAMLP}}}SessionIndex")
        )
    if not name_id:
        raise RequestRefused("malformed", "The logout request names no NameID.", **checked.ctx)
    return name_id, session_indexes
