"""Onboarding enrollment: the applicant (an invitation opened in this browser, record
checked, the code from a second channel entered when one was asked) registers their
first passkey. No dashboard account is involved."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from staff.selectors import applicant_case_get
from staff.transitions import State
from stepup.ceremonies import registration
from stepup.ceremonies.common import (
    TOO_MANY,
    CeremonyRefused,
    browser_answer,
    challenge_keep,
    challenge_take,
    json_error,
    options_response,
)
from stepup.ceremonies.limits import registration_attempt_allowed

SESSION_CHALLENGE = "onboarding_passkey_challenge"


@require_GET
def enroll(request):
    case = applicant_case_get(request)
    if case.state in (State.ENROLLED, State.VERIFIED):
        return redirect("staff:done")
    if not case.is_ready_for_passkey:
        return redirect("staff:proofing_code")  # which asks for the record check if due
    return render(request, "stepup/enroll.html", {"case": case})


@require_POST
def enroll_options(request):
    case = applicant_case_get(request)
    if not registration_attempt_allowed(request, case.id):
        return json_error(TOO_MANY, 429)
    if case.state != State.PROOFING or not case.is_ready_for_passkey:
        return json_error("This step is not open.", 409)
    options_json, challenge = registration.registration_options(case.staff_member)
    challenge_keep(request, SESSION_CHALLENGE, challenge)
    return options_response(options_json)


@require_POST
def enroll_verify(request):
    case = applicant_case_get(request)
    if not registration_attempt_allowed(request, case.id):
        return json_error(TOO_MANY, 429)
    try:
        challenge = challenge_take(request, SESSION_CHALLENGE)
        body, credential_json = browser_answer(request)
        registration.enrollment_register(
            case=case,
            challenge=challenge,
            credential_json=credential_json,
            name=str(body.get("name", "")),
        )
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    # A path on this site, never built from the request's Host header.
    return JsonResponse({"next": reverse("staff:done")})
