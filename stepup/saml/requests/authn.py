"""The AuthnRequest's own checks (steps 8 and 9) and :func:`validate_authn_request`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from lxml import etree

from stepup.policy import COMPARISONS, EXACT, RequestedContext
from stepup.saml.metadata import BINDING_HTTP_POST, default_acs
from stepup.saml.requests.checks import Checked, check_message, claim
from stepup.saml.requests.decoding import element_text, only_child, parse_xs_boolean
from stepup.saml.requests.values import (
    SAML,
    SAMLP,
    AuthnRequestInfo,
    RegisteredSp,
    RequestRefused,
    SamlHttpInput,
    refusals_attributed_to,
)


def validate_authn_request(
    data: SamlHttpInput,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    claim_request_id: Callable[[str, str, datetime], bool],
    now: datetime,
    clock_skew: timedelta,
) -> AuthnRequestInfo:
    """Validate an AuthnRequest (see ``stepup.saml.requests``); raise
    :class:`RequestRefused`.

    ``claim_request_id(sp_entity_id, request_id, keep_until)`` records the ID and
    returns False when it was already recorded; it is called last, so a request refused
    for another reason does not use up its ID.
    """
    checked = check_message(
        data, "AuthnRequest", lookup_sp=lookup_sp, now=now, clock_skew=clock_skew
    )
    acs_url = _choose_acs(checked.root, checked.sp, checked.ctx)
    options = _requested_options(checked)
    claim(checked, claim_request_id, clock_skew)
    return AuthnRequestInfo(
        request_id=checked.request_id,
        sp_entity_id=checked.issuer,
        issue_instant=checked.issue_instant,
        acs_url=acs_url,
        relay_state=data.relay_state,
        **options,
        signed=checked.signed,
        binding=data.binding,
        xml=checked.raw.decode("utf-8", errors="replace"),
    )


def _requested_options(checked: Checked) -> dict:
    """Step 9 and what the SP asks of the answer: ForceAuthn, IsPassive, the requested
    context, the NameID format (a request naming a Subject is refused)."""
    root = checked.root
    with refusals_attributed_to(checked.issuer, checked.request_id):
        options = {
            "force_authn": parse_xs_boolean(root.get("ForceAuthn"), "ForceAuthn"),
            "is_passive": parse_xs_boolean(root.get("IsPassive"), "IsPassive"),
            "requested": _requested_context(root),
        }
    if root.find(f"{{{SAML}}}Subject") is not None:
        raise RequestRefused(
            "unsupported", "Requests that name a Subject are not supported.", **checked.ctx
        )
    with refusals_attributed_to(checked.issuer, checked.request_id):
        name_id_policy = only_child(root, f"{{{SAMLP}}}NameIDPolicy", "NameIDPolicy")
    options["name_id_format"] = name_id_policy.get("Format") if name_id_policy is not None else None
    return options


def _requested_context(root: etree._Element) -> RequestedContext | None:
    rac = only_child(root, f"{{{SAMLP}}}RequestedAuthnContext", "RequestedAuthnContext")
    if rac is None:
        return None
    comparison = (rac.get("Comparison") or EXACT).strip()
    if comparison not in COMPARISONS:
        raise RequestRefused("malformed", f"Comparison={comparison!r} is not a SAML comparison.")
    refs = tuple(
        element_text(el, "AuthnContextClassRef")
        for el in rac.findall(f"{{{SAML}}}AuthnContextClassRef")
    )
    if rac.findall(f"{{{SAML}}}AuthnContextDeclRef"):
        # We state class references only; a declaration request cannot be satisfied.
        refs += ("urn:idbridge:unsupported:AuthnContextDeclRef",)
    return RequestedContext(class_refs=tuple(r for r in refs if r), comparison=comparison)


def _choose_acs(root: etree._Element, sp: RegisteredSp, ctx: dict) -> str:
    url = root.get("AssertionConsumerServiceURL")
    index = root.get("AssertionConsumerServiceIndex")
    binding = root.get("ProtocolBinding")
    if binding and binding != BINDING_HTTP_POST:
        raise RequestRefused(
            "unsupported_binding",
            "The SP asked for the response over a binding idbridge does not use (only HTTP-POST).",
            **ctx,
        )
    posts = [e for e in sp.acs if e.binding == BINDING_HTTP_POST]
    if url is not None:
        if url not in {e.url for e in posts}:
            raise RequestRefused(
                "acs_not_registered",
                "The response address (AssertionConsumerServiceURL) is not registered for "
                "this service provider.",
                status=403,
                **ctx,
            )
        return url
    if index is not None:
        for e in posts:
            if e.index is not None and str(e.index) == index.strip():
                return e.url
        raise RequestRefused(
            "acs_not_registered",
            f"AssertionConsumerServiceIndex {index!r} is not registered for this service provider.",
            status=403,
            **ctx,
        )
    chosen = default_acs(posts)
    if chosen is None:
        raise RequestRefused(
            "acs_not_registered", "The SP has no HTTP-POST response address.", status=403, **ctx
        )
    return chosen.url
