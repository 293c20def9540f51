"""Single Sign-On: validate an AuthnRequest, keep it pending, decide it, answer it.

:func:`proceed` is the loop the browser comes back to (``idp:sso_continue``) after each
passkey check: the pending request is decided again until it can be answered.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp

from stepup.policy import Decision, decide
from stepup.runtime import Runtime, SpConfig, runtime
from stepup.saml import idp as saml_idp
from stepup.saml.requests.authn import validate_authn_request
from stepup.saml.requests.values import AuthnRequestInfo, RequestRefused, SamlHttpInput
from stepup.services.decisions import step_up_challenge_record
from stepup.services.replay import authn_request_claim
from stepup.sso import CANCELLED_KEY, CHALLENGE_KEY
from stepup.sso.pending import Pending, forget, from_token, recall, remember, to_token
from stepup.sso.responses import (
    Exchange,
    answer_assertion,
    answer_denied,
    answer_error,
    refused,
)
from stepup.subjects import sso_session_events, sso_session_subject

NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

# --- validation ---------------------------------------------------------------------------


def validation_context(rt: Runtime) -> dict:
    """What the request validators need besides the message: the registered SPs, the
    replay cache, the clock and its allowed skew."""

    def lookup_sp(entity_id: str):
        sp = rt.sps.get(entity_id)
        return sp.registered if sp else None

    return {
        "lookup_sp": lookup_sp,
        "claim_request_id": authn_request_claim,
        "now": timezone.now(),
        "clock_skew": timedelta(seconds=settings.STEPUP_CLOCK_SKEW_SECONDS),
    }


def validate(request, data: SamlHttpInput) -> tuple[Runtime, AuthnRequestInfo]:
    """Strict validation, then pysaml2's own check of the ACS URL (a second opinion)."""
    rt = runtime()
    info = validate_authn_request(data, **validation_context(rt))
    _check_acs_with_pysaml2(rt, info)
    return rt, info


def _check_acs_with_pysaml2(rt: Runtime, info: AuthnRequestInfo) -> None:
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


# --- keeping the request ----------------------------------------------------------------


def begin(request, info: AuthnRequestInfo, rt: Runtime | None = None):
    """Keep the validated request in the session and go on with it."""
    key = remember(request, Pending.from_info(info, timezone.now()))
    return proceed(request, key, rt)


def resume_token(info: AuthnRequestInfo) -> str:
    """HTTP-POST: the SP's cross-site POST carries no (SameSite=Lax) session cookie, so the
    validated request travels in a signed token through one same-site redirect."""
    return to_token(Pending.from_info(info, timezone.now()))


def resume(request, token: str):
    """The same-site end of :func:`resume_token`: claim the token once, then go on."""
    try:
        pending = from_token(token)
    except ValueError:
        return _refuse(
            request,
            "expired",
            "This sign-in link has expired. Go back to the service and sign in again.",
            binding=BINDING_HTTP_POST,
        )
    keep_until = pending.received_at + timedelta(
        seconds=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS + 60
    )
    if not authn_request_claim(f"resume:{pending.sp_entity_id}", pending.request_id, keep_until):
        return _refuse(
            request,
            "replayed",
            "This sign-in request was already used. Go back to the service and sign in again.",
            binding=BINDING_HTTP_POST,
            status=403,
            pending=pending,
        )
    return proceed(request, remember(request, pending))


def _refuse(request, code: str, message: str, *, binding: str, status: int = 400, pending=None):
    """A refusal page for a pending request (or for none, when it cannot be read)."""
    exc = RequestRefused(
        code,
        message,
        status=status,
        sp_entity_id=pending.sp_entity_id if pending else "",
        request_id=pending.request_id if pending else "",
    )
    return refused(request, exc, binding)


def _expired(request, pending: Pending | None = None):
    return _refuse(
        request,
        "expired",
        "This sign-in request was already answered or is too old. Go back to the service "
        "you came from and try again.",
        binding=BINDING_HTTP_REDIRECT,
        pending=pending,
    )


# --- deciding and answering -----------------------------------------------------------------


def proceed(request, key: str, rt: Runtime | None = None):
    """Decide the pending request ``key`` and answer it, or send the user to a check."""
    pending = recall(request, key)
    if pending is None:
        return _expired(request)
    now = timezone.now()
    if _is_too_old(pending, now):
        forget(request, key)
        return _expired(request, pending)
    rt = rt or runtime()
    sp = rt.sps.get(pending.sp_entity_id)
    if sp is None or not sp.enabled:
        forget(request, key)
        return _refuse(
            request,
            "sp_disabled",
            f"{pending.sp_entity_id} is not (or no longer) allowed to use idbridge.",
            binding=BINDING_HTTP_REDIRECT,
            status=403,
            pending=pending,
        )
    ex = Exchange(request, rt, sp, key, pending, sso_session_subject(request))
    return _answer(ex, _decide(ex, now))


def _is_too_old(pending: Pending, now: datetime) -> bool:
    max_age = timedelta(seconds=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS)
    return now - pending.received_at > max_age


def _decide(ex: Exchange, now: datetime) -> Decision:
    """The step-up policies applied to this request and this SSO session's checks."""
    subject, pending = ex.subject, ex.pending
    return decide(
        policies=ex.rt.policies,
        sp_entity_id=ex.sp.entity_id,
        requested=pending.requested,
        relay_state=pending.relay_state,
        auth_events=sso_session_events(ex.request) if subject else [],
        now=now,
        roles=subject.roles if subject else (),
        request_at=pending.received_at,
        force_authn=pending.force_authn,
    )


def _answer(ex: Exchange, decision: Decision):
    if decision.no_authn_context:
        return answer_error(ex, decision, saml_idp.STATUS_NO_AUTHN_CONTEXT)
    if not _name_id_format_allowed(ex.pending, ex.sp):
        return answer_error(
            ex, _name_id_format_refusal(ex, decision), saml_idp.STATUS_INVALID_NAMEID_POLICY
        )
    if decision.needs_fresh_check:
        return _fresh_check(ex, decision)
    if not decision.allowed:
        return answer_denied(ex, decision)
    return answer_assertion(ex, decision)


def _name_id_format_allowed(pending: Pending, sp: SpConfig) -> bool:
    return not pending.name_id_format or pending.name_id_format in (
        NAMEID_UNSPECIFIED,
        sp.name_id_format,
    )


def _name_id_format_refusal(ex: Exchange, decision: Decision) -> Decision:
    return Decision(
        allowed=False,
        reason=f"idbridge gives this service NameIDs of format {ex.sp.name_id_format}, "
        f"not {ex.pending.name_id_format}.",
        policy=decision.policy,
    )


def _fresh_check(ex: Exchange, decision: Decision):
    """A passkey check could change the answer: ask for it, unless the person already
    gave up on it or the SP asked us not to interact (IsPassive)."""
    if ex.request.session.get(CANCELLED_KEY) == ex.key:
        # The person gave up on (or failed) the passkey check: tell the SP plainly.
        del ex.request.session[CANCELLED_KEY]
        decision = dataclasses.replace(
            decision, allowed=False, reason="The passkey check was not completed."
        )
        return answer_error(ex, decision, saml_idp.STATUS_NO_AUTHN_CONTEXT)
    if ex.pending.is_passive:
        return answer_error(ex, decision, saml_idp.STATUS_NO_PASSIVE)
    return _send_to_check(ex, decision)


def _send_to_check(ex: Exchange, decision: Decision):
    """To the passkey ceremony at stepup:authenticate, which comes back to proceed."""
    subject = ex.subject
    step_up_challenge_record(
        subject=subject,
        sp_entity_id=ex.sp.entity_id,
        request_id=ex.pending.request_id,
        decision=decision,
    )
    # For the passkey ceremony: what to ask for, and why.
    ex.request.session[CHALLENGE_KEY] = {
        "mode": "step-up" if subject else "sign-in",
        "subject_id": subject.subject_id if subject else None,
        "reason": decision.reason,
        "sp": ex.sp.title,
        "policy": decision.policy,
    }
    next_url = reverse("idp:sso_continue", args=[ex.key])
    return redirect(f"{reverse('stepup:authenticate')}?{urlencode({'next': next_url})}")
