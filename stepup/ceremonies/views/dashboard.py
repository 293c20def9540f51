"""``stepup:dashboard_sign_in``: the dashboard's sign-in page and its passkey endpoints."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from idbridge.core.access import safe_next_url
from idbridge.core.breakglass import BACKEND
from idbridge.core.refusals import login_audited_by_caller
from stepup.ceremonies import dashboard, signin
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
from stepup.subjects import sso_session_start

SESSION_CHALLENGE = "dashboard.passkey_challenge"


@never_cache
@require_GET
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(
        request,
        "registration/login.html",
        {"next": safe_next_url(request, request.GET.get("next")) or ""},
    )


@require_POST
def sign_in_options(request):
    if not sign_in_request_allowed(request):
        return json_error(TOO_MANY, 429)
    options_json, challenge = signin.sign_in_options(dashboard.USERNAMELESS)
    challenge_keep(request, SESSION_CHALLENGE, challenge)
    return options_response(options_json)


@require_POST
def sign_in_verify(request):
    if not sign_in_request_allowed(request):
        return json_error(TOO_MANY, 429)
    try:
        challenge = challenge_take(request, SESSION_CHALLENGE)
        body, credential_json = browser_answer(request)
        signed_in, user = dashboard.dashboard_sign_in_verify(challenge, credential_json)
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    # Audited once, as ``dashboard.signed_in`` (by dashboard_sign_in_verify).
    login_audited_by_caller(request, user, backend=BACKEND)
    # The same person is signed in to the IdP: a later step-up (a BOI commit) is theirs.
    sso_session_start(request, signed_in.subject, signed_in.event)
    return JsonResponse({"next": safe_next_url(request, body.get("next")) or "/"})
