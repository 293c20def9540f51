"""The SSO and SLO flows: validate, remember the pending request, decide, answer.

A validated AuthnRequest is kept in the session as a *pending request* under a random
key. :func:`proceed` is the loop the browser comes back to: it reads the SSO session
(``stepup.subjects``), asks ``stepup.policy.decide`` and either sends the user to
``stepup:authenticate`` (sign in, or a fresh check) with ``next`` pointing back at
``idp:sso_continue``, or answers the SP: a signed Response with the assertion, or a
signed error Response (NoAuthnContext, NoPassive, RequestDenied, InvalidNameIDPolicy).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError, samlp

from idbridge import ratelimit
from idbridge.saml_crypto import parse_xml
from stepup import services
from stepup.policy import Decision, RequestedContext, decide
from stepup.runtime import Runtime, SpConfig, runtime
from stepup.saml import idp as saml_idp
from stepup.saml.requests import (
    AuthnRequestInfo,
    RequestRefused,
    SamlHttpInput,
    validate_authn_request,
    validate_logout_request,
)
from stepup.subjects import (
    CHALLENGE_KEY,
    Subject,
    sso_session_end,
    sso_session_events,
    sso_session_subject,
)

log = logging.getLogger("idbridge.stepup")

PENDING_KEY = "stepup.pending"
# Set by the ceremony's Cancel: the pending request (by key) whose check was abandoned.
CANCELLED_KEY = "stepup.cancelled"
ISSUED_KEY = "stepup.issued_name_ids"
MAX_PENDING = 10
RESUME_SALT = "stepup.sso.resume"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@dataclass(frozen=True)
class Pending:
    request_id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str
    force_authn: bool
    is_passive: bool
    requested: RequestedContext | None
    name_id_format: str | None
    received_at: datetime

    @classmethod
    def from_info(cls, info: AuthnRequestInfo, received_at: datetime) -> Pending:
        return cls(
            request_id=info.request_id,
            sp_entity_id=info.sp_entity_id,
            acs_url=info.acs_url,
            relay_state=info.relay_state,
            force_authn=info.force_authn,
            is_passive=info.is_passive,
            requested=info.requested,
            name_id_format=info.name_id_format,
            received_at=received_at,
        )

    def to_dict(self) -> dict:
        return {
            "request_id": self.request_id,
            "sp_entity_id": self.sp_entity_id,
            "acs_url": self.acs_url,
            "relay_state": self.relay_state,
            "force_authn": self.force_authn,
            "is_passive": self.is_passive,
            "requested": (
                {
                    "class_refs": list(self.requested.class_refs),
                    "comparison": self.requested.comparison,
                }
                if self.requested
                else None
            ),
            "name_id_format": self.name_id_format,
            "received_at": self.received_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Pending:
        req = data.get("requested")
        return cls(
            request_id=data["request_id"],
            sp_entity_id=data["sp_entity_id"],
            acs_url=data["acs_url"],
            relay_state=data["relay_state"],
            force_authn=bool(data["force_authn"]),
            is_passive=bool(data["is_passive"]),
            requested=(
                RequestedContext(tuple(req["class_refs"]), req["comparison"]) if req else None
            ),
            name_id_format=data.get("name_id_format"),
            received_at=datetime.fromisoformat(data["received_at"]),
        )


# --- rendering helpers ----------------------------------------------------------------


def error_page(request, *, title: str, message: str, status: int):
    return render(request, "stepup/error.html", {"title": title, "message": message}, status=status)


def refused(request, exc: RequestRefused, binding: str):
    """An audited, human-readable refusal page with the right status."""
    address = ratelimit.client_address(request)
    if ratelimit.hit("stepup-refused", address, limit=settings.STEPUP_REFUSALS_AUDITED_PER_MINUTE):
        services.authn_request_refused_record(
            code=exc.code,
            message=exc.message,
            sp_entity_id=exc.sp_entity_id,
            request_id=exc.request_id,
            binding=binding,
            client_ip=address,
        )
    else:
        log.warning("saml refusals over the audit limit", extra={"code": exc.code})
    log.info("saml request refused", extra={"code": exc.code, "sp": exc.sp_entity_id})
    return error_page(
        request,
        title="This sign-in request was refused",
        message=exc.message,
        status=exc.status,
    )


def post_form(request, *, sp: SpConfig, destination: str, field: str, xml: str, relay_state: str):
    """The HTTP-POST binding: a form that submits itself (static/stepup/autosubmit.js)."""
    return render(
        request,
        "stepup/post_binding.html",
        {
            "destination": destination,
            "field": field,
            "value": _b64(xml),
            "relay_state": relay_state,
            "sp_name": sp.title,
        },
    )


# --- SSO ----------------------------------------------------------------------------------


def _lookup(rt: Runtime):
    def lookup(entity_id: str):
        sp = rt.sps.get(entity_id)
        return sp.registered if sp else None

    return lookup


def validate(request, data: SamlHttpInput) -> tuple[Runtime, AuthnRequestInfo]:
    """Strict validation, then pysaml2's own check of the ACS URL (a second opinion)."""
    rt = runtime()
    info = validate_authn_request(
        data,
        lookup_sp=_lookup(rt),
        claim_request_id=services.authn_request_claim,
        now=timezone.now(),
        clock_skew=timedelta(seconds=settings.STEPUP_CLOCK_SKEW_SECONDS),
    )
    ctx = {"sp_entity_id": info.sp_entity_id, "request_id": info.request_id}
    try:
        message = samlp.authn_request_from_string(info.xml)
        args = rt.idp.server.response_args(message, [BINDING_HTTP_POST])
    except Exception as exc:  # pysaml2 raises many types here; each one is a refusal
        raise RequestRefused(
            "acs_not_registered",
            f"The response address is not registered for this service provider ({exc}).",
            status=403,
            **ctx,
        )
    if args.get("destination") != info.acs_url:
        raise RequestRefused(
            "acs_not_registered",
            "The response address is not registered for this service provider.",
            status=403,
            **ctx,
        )
    return rt, info


def _remember(request, pending: Pending) -> str:
    """Keep a pending request in the session (at most MAX_PENDING: the oldest go)."""
    store = dict(request.session.get(PENDING_KEY, {}))
    oldest_first = sorted(store, key=lambda k: store[k]["received_at"])
    for old in oldest_first[: max(0, len(store) - MAX_PENDING + 1)]:
        store.pop(old)
    key = secrets.token_urlsafe(16)
    store[key] = pending.to_dict()
    request.session[PENDING_KEY] = store
    return key


def begin(request, info: AuthnRequestInfo, rt: Runtime | None = None):
    """Keep the validated request in the session and go on with it."""
    key = _remember(request, Pending.from_info(info, timezone.now()))
    return proceed(request, key, rt)


def resume_token(info: AuthnRequestInfo) -> str:
    """HTTP-POST: the SP's cross-site POST carries no (SameSite=Lax) session cookie, so the
    validated request travels in a signed token through one same-site redirect."""
    return signing.dumps(
        Pending.from_info(info, timezone.now()).to_dict(), salt=RESUME_SALT, compress=True
    )


def resume(request, token: str):
    try:
        data = signing.loads(
            token, salt=RESUME_SALT, max_age=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS
        )
        pending = Pending.from_dict(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return refused(
            request,
            RequestRefused(
                "expired",
                "This sign-in link has expired. Go back to the service and sign in again.",
            ),
            BINDING_HTTP_POST,
        )
    keep_until = pending.received_at + timedelta(
        seconds=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS + 60
    )
    if not services.authn_request_claim(
        f"resume:{pending.sp_entity_id}", pending.request_id, keep_until
    ):
        return refused(
            request,
            RequestRefused(
                "replayed",
                "This sign-in request was already used. Go back to the service and sign in again.",
                status=403,
                sp_entity_id=pending.sp_entity_id,
                request_id=pending.request_id,
            ),
            BINDING_HTTP_POST,
        )
    return proceed(request, _remember(request, pending))


def _expired(request, pending: Pending | None = None):
    return refused(
        request,
        RequestRefused(
            "expired",
            "This sign-in request was already answered or is too old. Go back to the service "
            "you came from and try again.",
            sp_entity_id=pending.sp_entity_id if pending else "",
            request_id=pending.request_id if pending else "",
        ),
        BINDING_HTTP_REDIRECT,
    )


def proceed(request, key: str, rt: Runtime | None = None):
    """Decide the pending request ``key`` and answer it, or send the user to a check."""
    store = request.session.get(PENDING_KEY, {})
    data = store.get(key)
    if data is None:
        return _expired(request)
    pending = Pending.from_dict(data)
    now = timezone.now()
    max_age = timedelta(seconds=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS)
    if now - pending.received_at > max_age:
        _forget(request, key)
        return _expired(request, pending)

    rt = rt or runtime()
    sp = rt.sps.get(pending.sp_entity_id)
    if sp is None or not sp.enabled:
        _forget(request, key)
        return refused(
            request,
            RequestRefused(
                "sp_disabled",
                f"{pending.sp_entity_id} is not (or no longer) allowed to use idbridge.",
                status=403,
                sp_entity_id=pending.sp_entity_id,
                request_id=pending.request_id,
            ),
            BINDING_HTTP_REDIRECT,
        )

    subject = sso_session_subject(request)
    events = sso_session_events(request) if subject else []
    decision = decide(
        policies=rt.policies,
        sp_entity_id=sp.entity_id,
        requested=pending.requested,
        relay_state=pending.relay_state,
        auth_events=events,
        now=now,
        roles=subject.roles if subject else (),
        request_at=pending.received_at,
        force_authn=pending.force_authn,
    )

    if decision.no_authn_context:
        return _answer_error(
            request, rt, sp, key, pending, subject, decision, saml_idp.STATUS_NO_AUTHN_CONTEXT
        )
    if pending.name_id_format and pending.name_id_format not in (
        NAMEID_UNSPECIFIED,
        sp.name_id_format,
    ):
        decision = Decision(
            allowed=False,
            reason=f"idbridge gives this service NameIDs of format {sp.name_id_format}, "
            f"not {pending.name_id_format}.",
            policy=decision.policy,
        )
        return _answer_error(
            request, rt, sp, key, pending, subject, decision, saml_idp.STATUS_INVALID_NAMEID_POLICY
        )
    if decision.needs_fresh_check:
        if request.session.get(CANCELLED_KEY) == key:
            # The person gave up on (or failed) the passkey check: tell the SP plainly.
            del request.session[CANCELLED_KEY]
            decision = dataclasses.replace(
                decision, allowed=False, reason="The passkey check was not completed."
            )
            return _answer_error(
                request,
                rt,
                sp,
                key,
                pending,
                subject,
                decision,
                saml_idp.STATUS_NO_AUTHN_CONTEXT,
            )
        if pending.is_passive:
            return _answer_error(
                request, rt, sp, key, pending, subject, decision, saml_idp.STATUS_NO_PASSIVE
            )
        services.step_up_challenge_record(
            subject=subject,
            sp_entity_id=sp.entity_id,
            request_id=pending.request_id,
            decision=decision,
        )
        # For the passkey ceremony at stepup:authenticate: what to ask for, and why.
        request.session[CHALLENGE_KEY] = {
            "mode": "step-up" if subject else "sign-in",
            "subject_id": subject.subject_id if subject else None,
            "reason": decision.reason,
            "sp": sp.title,
            "policy": decision.policy,
        }
        next_url = reverse("idp:sso_continue", args=[key])
        return redirect(f"{reverse('stepup:authenticate')}?{urlencode({'next': next_url})}")
    if not decision.allowed:
        services.step_up_denial_record(
            subject=subject,
            sp_entity_id=sp.entity_id,
            request_id=pending.request_id,
            decision=decision,
            status=saml_idp.STATUS_REQUEST_DENIED,
        )
        xml = saml_idp.error_response(
            rt.idp,
            in_response_to=pending.request_id,
            destination=pending.acs_url,
            status=saml_idp.STATUS_REQUEST_DENIED,
            message=decision.reason,
        )
        _forget(request, key)
        return render(
            request,
            "stepup/denied.html",
            {
                "reason": decision.reason,
                "sp_name": sp.title,
                "destination": pending.acs_url,
                "value": _b64(xml),
                "relay_state": pending.relay_state,
            },
            status=403,
        )
    return _issue(request, rt, sp, key, pending, subject, decision)


def _b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def _forget(request, key: str) -> None:
    store = dict(request.session.get(PENDING_KEY, {}))
    if store.pop(key, None) is not None:
        request.session[PENDING_KEY] = store


def _answer_error(request, rt, sp, key, pending, subject, decision, status):
    services.step_up_denial_record(
        subject=subject,
        sp_entity_id=sp.entity_id,
        request_id=pending.request_id,
        decision=decision,
        status=status,
    )
    xml = saml_idp.error_response(
        rt.idp,
        in_response_to=pending.request_id,
        destination=pending.acs_url,
        status=status,
        message=decision.reason,
    )
    _forget(request, key)
    return post_form(
        request,
        sp=sp,
        destination=pending.acs_url,
        field="SAMLResponse",
        xml=xml,
        relay_state=pending.relay_state,
    )


def _issue(request, rt: Runtime, sp: SpConfig, key, pending: Pending, subject: Subject, decision):
    name_id = saml_idp.name_id_for(
        fmt=sp.name_id_format,
        secret=rt.nameid_secret,
        idp_entity_id=rt.idp.spec.entity_id,
        sp_entity_id=sp.entity_id,
        subject_id=subject.subject_id,
        email=subject.email,
    )
    identity = saml_idp.identity_for(subject.attribute_values(), sp.released_attributes)
    encrypt = sp.encrypt_assertions and bool(sp.encryption_certs)
    xml = saml_idp.authn_response(
        rt.idp,
        in_response_to=pending.request_id,
        destination=pending.acs_url,
        sp_entity_id=sp.entity_id,
        name_id=name_id,
        identity=identity,
        class_ref=decision.class_ref,
        authn_instant=decision.authn_instant,
        encrypt_cert_pem=sp.encryption_certs[0] if encrypt else None,
    )
    response_id = parse_xml(xml).get("ID", "")
    services.assertion_issued_record(
        subject=subject,
        sp_entity_id=sp.entity_id,
        request_id=pending.request_id,
        response_id=response_id,
        decision=decision,
        acs_url=pending.acs_url,
        encrypted=encrypt,
    )
    issued = dict(request.session.get(ISSUED_KEY, {}))
    issued[sp.entity_id] = name_id.text
    request.session[ISSUED_KEY] = issued
    _forget(request, key)
    return post_form(
        request,
        sp=sp,
        destination=pending.acs_url,
        field="SAMLResponse",
        xml=xml,
        relay_state=pending.relay_state,
    )


# --- SLO --------------------------------------------------------------------------------


def logout(request, data: SamlHttpInput):
    """SP-initiated Single Logout: end the IdP session when the NameID is the one we
    gave that SP in this session, and answer with a LogoutResponse (Success)."""
    rt = runtime()
    info = validate_logout_request(
        data,
        lookup_sp=_lookup(rt),
        claim_request_id=services.authn_request_claim,
        now=timezone.now(),
        clock_skew=timedelta(seconds=settings.STEPUP_CLOCK_SKEW_SECONDS),
    )
    sp = rt.sps[info.sp_entity_id]
    subject = sso_session_subject(request)
    issued = request.session.get(ISSUED_KEY, {})
    if subject is not None and issued.get(sp.entity_id) == info.name_id:
        services.sso_logout_record(
            subject=subject, sp_entity_id=sp.entity_id, request_id=info.request_id
        )
        sso_session_end(request)
        request.session.pop(ISSUED_KEY, None)
        request.session.pop(PENDING_KEY, None)
    endpoint = next((e for e in sp.slo if e.binding == BINDING_HTTP_POST), None) or next(
        (e for e in sp.slo if e.binding == BINDING_HTTP_REDIRECT), None
    )
    if endpoint is None:
        return render(request, "stepup/logged_out.html", {"sp_name": sp.title})
    try:
        xml = saml_idp.logout_response(rt.idp, request_xml=info.xml, binding=endpoint.binding)
    except SAMLError as exc:
        raise RequestRefused(
            "slo_not_registered",
            f"No logout address is registered for this service provider ({exc}).",
            status=403,
            sp_entity_id=info.sp_entity_id,
            request_id=info.request_id,
        )
    if endpoint.binding == BINDING_HTTP_POST:
        return post_form(
            request,
            sp=sp,
            destination=endpoint.url,
            field="SAMLResponse",
            xml=xml,
            relay_state=info.relay_state,
        )
    return redirect(
        saml_idp.redirect_url(
            rt.idp, destination=endpoint.url, xml=xml, relay_state=info.relay_state
        )
    )
