"""Steps 1-7 and 10 of ``stepup.saml.requests``, common to AuthnRequest and LogoutRequest:
each a named check, run in order by :func:`check_message`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from stepup.saml.requests.decoding import (
    decode_message,
    element_text,
    only_child,
    parse_request_xml,
    parse_xs_datetime,
)
from stepup.saml.requests.signatures import check_signatures
from stepup.saml.requests.values import (
    SAML,
    SAMLP,
    RegisteredSp,
    RequestRefused,
    SamlHttpInput,
    refusals_attributed_to,
)

MAX_RELAY_STATE = 1024


@dataclass(frozen=True)
class Checked:
    """A message that passed steps 1-7: its XML, who sent it, whether it was signed."""

    root: etree._Element
    raw: bytes
    issuer: str
    request_id: str
    sp: RegisteredSp
    signed: bool
    issue_instant: datetime

    @property
    def ctx(self) -> dict:
        """Who a refusal from here on names."""
        return {"sp_entity_id": self.issuer, "request_id": self.request_id}


def check_message(
    data: SamlHttpInput,
    local_name: str,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    now: datetime,
    clock_skew: timedelta,
    signature_required: bool = False,
) -> Checked:
    """Steps 1-7 for a ``samlp:<local_name>``; raise :class:`RequestRefused`.

    ``signature_required``: the message must be signed whatever the SP's setting (a
    LogoutRequest), so an SP with no signing certificate cannot send it at all.
    """
    if len(data.relay_state) > MAX_RELAY_STATE:
        raise RequestRefused("malformed", "The RelayState is too long.")
    raw = decode_message(data)
    root = parse_request_xml(raw)
    request_id, issuer = _check_envelope(root, local_name)
    ctx = {"sp_entity_id": issuer, "request_id": request_id}
    sp = _registered_sp(lookup_sp, issuer, ctx)
    if signature_required:
        sp = _must_sign(sp, local_name, ctx)
    signed = check_signatures(data, root, sp, ctx)
    _check_destination(root, data.endpoint_url, signed, ctx)
    issue_instant = _check_issue_instant(root, now, clock_skew, ctx)
    return Checked(root, raw, issuer, request_id, sp, signed, issue_instant)


def _check_envelope(root: etree._Element, local_name: str) -> tuple[str, str]:
    """Step 3: the expected SAML 2.0 message, with an ID and an Issuer."""
    if root.tag != f"{{{SAMLP}}}{local_name}":
        raise RequestRefused("malformed", f"This is not a SAML {local_name}.")
    if root.get("Version") != "2.0":
        raise RequestRefused("malformed", "Only SAML 2.0 requests are accepted.")
    request_id = (root.get("ID") or "").strip()
    if not request_id or len(request_id) > 256:
        raise RequestRefused("malformed", "The request has no usable ID.")
    with refusals_attributed_to("", request_id):
        issuer_el = only_child(root, f"{{{SAML}}}Issuer", "Issuer")
        issuer = element_text(issuer_el, "Issuer") if issuer_el is not None else ""
    if not issuer:
        raise RequestRefused("malformed", "The request names no Issuer.", request_id=request_id)
    return request_id, issuer


def _registered_sp(lookup_sp, issuer: str, ctx: dict) -> RegisteredSp:
    """Step 4: the Issuer is a registered, enabled SP."""
    sp = lookup_sp(issuer)
    if sp is None:
        raise RequestRefused(
            "unknown_sp",
            f"The service provider {issuer} is not registered with idbridge.",
            status=403,
            **ctx,
        )
    if not sp.enabled:
        raise RequestRefused(
            "sp_disabled",
            f"The service provider {issuer} is not enabled in idbridge (switched off, or its "
            "metadata can no longer be used).",
            status=403,
            **ctx,
        )
    return sp


def _must_sign(sp: RegisteredSp, local_name: str, ctx: dict) -> RegisteredSp:
    """The SP as one that must sign this message; refused when it has no certificate."""
    if not sp.signing_certs:
        raise RequestRefused(
            "no_signing_certificate",
            f"idbridge accepts a {local_name} only when it is signed, and no signing "
            f"certificate is registered for {sp.entity_id}. Sign out at idbridge instead.",
            status=403,
            **ctx,
        )
    return dataclasses.replace(sp, signatures_required=True)


def _check_destination(root: etree._Element, endpoint_url: str, signed: bool, ctx: dict):
    """Step 6: sent to the endpoint it arrived at (a signed request must say so)."""
    destination = root.get("Destination")
    if destination is not None and destination.strip() != endpoint_url:
        raise RequestRefused(
            "wrong_destination",
            "The request was meant for another address (Destination).",
            status=403,
            **ctx,
        )
    if signed and destination is None:
        raise RequestRefused(
            "wrong_destination", "A signed request must name its Destination.", **ctx
        )


def _check_issue_instant(
    root: etree._Element, now: datetime, clock_skew: timedelta, ctx: dict
) -> datetime:
    """Step 7: IssueInstant within ``clock_skew`` of now."""
    with refusals_attributed_to(ctx["sp_entity_id"], ctx["request_id"]):
        issue_instant = parse_xs_datetime(root.get("IssueInstant"))
    if abs(now - issue_instant) > clock_skew:
        raise RequestRefused(
            "stale",
            "The request is too old or dated in the future (IssueInstant outside "
            f"{int(clock_skew.total_seconds())} seconds of now). Go back and try again.",
            **ctx,
        )
    return issue_instant


def claim(checked: Checked, claim_request_id, clock_skew: timedelta) -> None:
    """Step 10: the request ID is used once (last, so a refused request keeps its ID)."""
    keep_until = checked.issue_instant + clock_skew + timedelta(minutes=1)
    if not claim_request_id(checked.issuer, checked.request_id, keep_until):
        raise RequestRefused(
            "replayed",
            "This request was already used.",
            status=403,
            **checked.ctx,
        )
