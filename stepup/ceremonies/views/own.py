"""A verified staff member's own passkeys: see, add, rename, retire.

Who they are comes from the IdP's SSO session (a passkey sign-in), not a dashboard login.
Adding or removing a passkey must pass the freshness gate (``stepup.gates``, policy
``passkey_change_policy``): an unattended, signed-in browser is not enough.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from staff.models import StaffMember
from staff.selectors import verified_member_get
from staff.services.cases import OnboardingError
from staff.services.passkeys import passkey_disable_own, passkey_rename
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
from stepup.gates import fresh_check_decision, passkey_change_policy, step_up_url
from stepup.subjects import sso_session_end, sso_session_subject

SESSION_CHALLENGE = "own_passkey_challenge"


def _own_member(request) -> StaffMember | None:
    subject = sso_session_subject(request)
    return verified_member_get(subject.subject_id) if subject is not None else None


def _check_is_fresh(request) -> bool:
    return fresh_check_decision(request, passkey_change_policy()).allowed


def _own_url() -> str:
    return reverse("stepup:own_passkeys")


def _own_gate_json(request) -> StaffMember:
    """The signed-in member when the JSON ceremony may go on, else a refusal."""
    member = _own_member(request)
    if member is None:
        raise CeremonyRefused("Sign in with your passkey first.", 401)
    if not registration_attempt_allowed(request, member.case.id):
        raise CeremonyRefused(TOO_MANY, 429)
    if not _check_is_fresh(request):
        raise CeremonyRefused("Confirm it's you with a passkey first.", 403)
    return member


@never_cache
@require_GET
def own_passkeys(request):
    member = _own_member(request)
    if member is None:
        return redirect(reverse("stepup:authenticate") + "?" + urlencode({"next": _own_url()}))
    max_age = settings.STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS
    return render(
        request,
        "stepup/own_passkeys.html",
        {
            "member": member,
            "passkeys": member.passkeys.order_by("disabled_at", "created_at"),
            "active_count": member.passkeys.filter(disabled_at__isnull=True).count(),
            "fresh": _check_is_fresh(request),
            "max_age_minutes": max(max_age // 60, 1),
        },
    )


@require_POST
def own_passkeys_confirm(request):
    """Send the person to a fresh passkey check (step-up mode); it comes back here."""
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    return redirect(
        step_up_url(
            request,
            next_url=_own_url(),
            reason="change the passkeys of your district sign-in",
            sp="idbridge",
            email=member.work_email or member.personal_email,
        )
    )


@require_POST
def own_passkey_options(request):
    try:
        member = _own_gate_json(request)
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    options_json, challenge = registration.registration_options(member)
    challenge_keep(request, SESSION_CHALLENGE, challenge)
    return options_response(options_json)


@require_POST
def own_passkey_verify(request):
    try:
        member = _own_gate_json(request)
        challenge = challenge_take(request, SESSION_CHALLENGE)
        body, credential_json = browser_answer(request)
        passkey = registration.own_passkey_register(
            member=member,
            challenge=challenge,
            credential_json=credential_json,
            name=str(body.get("name", "")),
        )
    except CeremonyRefused as refused:
        return json_error(str(refused), refused.status)
    messages.success(request, f"Passkey “{passkey.name}” added.")
    return JsonResponse({"next": _own_url()})


@require_POST
def own_passkey_rename(request, passkey_id):
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    try:
        passkey_rename(member=member, passkey_id=passkey_id, name=request.POST.get("name", ""))
    except OnboardingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Passkey renamed.")
    return redirect(_own_url())


@require_POST
def own_passkey_disable(request, passkey_id):
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    if not _check_is_fresh(request):
        messages.error(request, "Confirm it's you with a passkey before removing one.")
        return redirect(_own_url())
    try:
        passkey = passkey_disable_own(member=member, passkey_id=passkey_id)
    except OnboardingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Passkey “{passkey.name}” removed.")
    return redirect(_own_url())


@require_POST
def own_sign_out(request):
    sso_session_end(request)
    return render(request, "stepup/own_signed_out.html")
