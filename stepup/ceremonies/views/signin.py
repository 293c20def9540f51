"""``stepup:authenticate``: the page and JSON endpoints of passkey sign-in and step-up."""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from idbridge.core.access import safe_next_url
from stepup.ceremonies import signin
from stepup.ceremonies.common import (
    TOO_MANY,
    CeremonyRefused,
    browser_answer,
    challenge_keep,
    challenge_take,
    json_error,
    options_response,
)
from stepup.ceremonies.limits import sign_in_request_allowed
from stepup.sso import CANCELLED_KEY, CHALLENGE_KEY
from stepup.subjects import (
    Subject,
    record_auth_event,
    sso_session_start,
    sso_session_subject,
)

SESSION_CHALLENGE = "stepup.passkey_challenge"


def _check_request(request) -> signin.CheckRequest:
    """The session's pending check as plain data (who is signed in, what was asked)."""
    challenge = request.session.get(CHALLENGE_KEY) or {}
    current = sso_session_subject(request)
    step_up = challenge.get("mode") == "step-up"
    return signin.CheckRequest(
        current=current, step_up=step_up, expected_email=_expected_email(challenge, current)
    )


def _expected_email(challenge: dict, current: Subject | None) -> str:
    """A check asked for by idbridge's own pages (the Business Office commit) names the
    person whose passkey must answer, by e-mail, even before they are signed in here."""
    if current is not None or challenge.get("mode") != "step-up":
        return ""
    return (challenge.get("email") or "").strip().lower()


@never_cache
@require_GET
def authenticate(request):
    check = _check_request(request)
    return render(
        request,
        "stepup/authenticate.html",
        {
            "next": safe_next_url(request, request.GET.get("next")),
            "challenge": request.session.get(CHALLENGE_KEY) or {},
            "step_up": check.step_up and (bool(check.current) or bool(check.expected_email)),
            "subject": check.current,
            "expected_email": check.expected_email,
        },
    )


@require_POST
def options(request):
    if not sign_in_request_allowed(request):
        return json_error(TOO_MANY, 429)
    try:
        options_json, challenge = signin.sign_in_options(_check_request(request))
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    challenge_keep(request, SESSION_CHALLENGE, challenge)
    return options_response(options_json)


@require_POST
def verify(request):
    if not sign_in_request_allowed(request):
        return json_error(TOO_MANY, 429)
    try:
        challenge = challenge_take(request, SESSION_CHALLENGE)
        body, credential_json = browser_answer(request)
        check = _check_request(request)
        signed_in = signin.sign_in_verify(
            check=check, challenge=challenge, credential_json=credential_json
        )
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    if check.current is not None and check.current.subject_id == signed_in.subject.subject_id:
        record_auth_event(request, signed_in.event)
    else:
        sso_session_start(request, signed_in.subject, signed_in.event)
    request.session.pop(CHALLENGE_KEY, None)  # answered: it must not shape a later check
    return JsonResponse({"next": safe_next_url(request, body.get("next")) or "/"})


@require_POST
def cancel(request):
    """Give up on the check: the pending SAML request is answered with NoAuthnContext."""
    next_url = safe_next_url(request, request.POST.get("next"))
    match = re.fullmatch(r"/idp/sso/continue/([^/?#]+)", next_url or "")
    if not match:
        return redirect("/")
    request.session[CANCELLED_KEY] = match.group(1)
    signin.check_cancelled_record(sso_session_subject(request))
    return redirect(next_url)
