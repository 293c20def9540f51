"""The passkey ceremonies behind ``stepup:authenticate``: usernameless sign-in to the IdP
and the fresh biometric check of a step-up.

Both are WebAuthn assertions with user verification required (the device's fingerprint
or face check) and a sign count that must grow. A verified assertion either starts the
SSO session (``sso_session_start``) or, for the person already signed in, adds an event
to it (``record_auth_event``); the pending SAML request then resumes at ``next``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from idbridge import passkeys, ratelimit
from idbridge.audit.services import audit_record
from staff.models import Passkey, StaffMember
from staff.services import relying_party
from staff.transitions import State
from stepup import services
from stepup.policy import PASSKEY, AuthEvent
from stepup.sso import CANCELLED_KEY, CHALLENGE_KEY
from stepup.subjects import (
    Subject,
    record_auth_event,
    safe_next_url,
    sso_session_start,
    sso_session_subject,
)

SESSION_CHALLENGE = "stepup.passkey_challenge"


def subject_from_member(member: StaffMember) -> Subject:
    return Subject(
        subject_id=member.user_handle,  # opaque and stable: persistent NameIDs derive from it
        staff_number=member.staff_number,
        email=member.work_email or member.personal_email,
        given_name=member.first_name,
        surname=member.last_name,
        display_name=member.display_name,
        campus_person_id=str(member.campus_person_id or member.campus_key),
        roles=tuple(member.roles or ()),
    )


def subject_load(subject_id: str) -> Subject | None:
    """The IdP re-reads the person on every SSO request: revoked or re-proofed staff (case
    no longer verified) lose their session at once, on every worker."""
    member = (
        StaffMember.objects.select_related("case")
        .filter(user_handle=subject_id, case__state=State.VERIFIED)
        .first()
    )
    return subject_from_member(member) if member else None


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _limited(request) -> bool:
    return not ratelimit.hit(
        "stepup-passkey",
        ratelimit.client_address(request),
        limit=settings.STAFF_CEREMONY_RATE_PER_MINUTE,
    )


def step_up_url(request, *, next_url: str, reason: str, sp: str, email: str) -> str:
    """Where idbridge's own pages send a person for a fresh passkey check (step-up mode);
    the ceremony resumes at ``next_url``. ``email`` names whose passkey must answer."""
    request.session[CHALLENGE_KEY] = {"mode": "step-up", "reason": reason, "sp": sp, "email": email}
    return reverse("stepup:authenticate") + "?" + urlencode({"next": next_url})


def _expected_email(request, subject: Subject | None) -> str:
    """A check asked for by idbridge's own pages (the Business Office commit) names the
    person whose passkey must answer, by e-mail, even before they are signed in here."""
    challenge = request.session.get(CHALLENGE_KEY) or {}
    if subject is not None or challenge.get("mode") != "step-up":
        return ""
    return (challenge.get("email") or "").strip().lower()


def _email_matches(member: StaffMember, email: str) -> bool:
    return email in {(member.work_email or "").lower(), (member.personal_email or "").lower()}


@never_cache
@require_GET
def authenticate(request):
    challenge = request.session.get(CHALLENGE_KEY) or {}
    subject = sso_session_subject(request)
    expected = _expected_email(request, subject)
    return render(
        request,
        "stepup/authenticate.html",
        {
            "next": safe_next_url(request, request.GET.get("next")),
            "challenge": challenge,
            "step_up": challenge.get("mode") == "step-up" and (bool(subject) or bool(expected)),
            "subject": subject,
            "expected_email": expected,
        },
    )


@require_POST
def options(request):
    if _limited(request):
        return _error("Too many attempts. Wait a minute and try again.", 429)
    subject = sso_session_subject(request)
    allow: list[str] = []
    expected = _expected_email(request, subject)
    if subject is not None:
        # A step-up is the signed-in person's own check: only their passkeys will do.
        allow = list(
            Passkey.objects.filter(
                staff_member__user_handle=subject.subject_id, disabled_at__isnull=True
            ).values_list("credential_id", flat=True)
        )
    elif expected:
        allow = list(
            Passkey.objects.filter(
                Q(staff_member__work_email__iexact=expected)
                | Q(staff_member__personal_email__iexact=expected),
                staff_member__case__state=State.VERIFIED,
                disabled_at__isnull=True,
            ).values_list("credential_id", flat=True)
        )
        if not allow:
            return _error(
                f"No district passkey is registered for {expected}: "
                "staff onboarding gives you one.",
                403,
            )
    options_json, challenge = passkeys.prepare_authentication(
        relying_party(), allow_credential_ids=allow
    )
    request.session[SESSION_CHALLENGE] = challenge.hex()
    return JsonResponse(json.loads(options_json))


@require_POST
def verify(request):
    if _limited(request):
        return _error("Too many attempts. Wait a minute and try again.", 429)
    challenge = request.session.pop(SESSION_CHALLENGE, None)
    if not challenge:
        return _error("Start again: the passkey request expired.")
    try:
        body = json.loads(request.body)
        credential_json = json.dumps(body["credential"])
        credential_id, _ = passkeys.credential_id_of(credential_json)
    except (ValueError, KeyError, TypeError, passkeys.PasskeyError):
        return _error("The browser sent an unreadable answer.")
    passkey = (
        Passkey.objects.select_related("staff_member", "staff_member__case")
        .filter(credential_id=credential_id, disabled_at__isnull=True)
        .first()
    )
    current = sso_session_subject(request)
    if (
        passkey is None
        or getattr(passkey.staff_member, "case", None) is None
        or (passkey.staff_member.case.state != State.VERIFIED)
    ):
        audit_record(
            actor="anonymous",
            action="stepup.passkey_refused",
            target="stepup:authenticate",
            details={"reason": "unknown, disabled or unverified passkey"},
        )
        return _error("This passkey is not registered for district sign-in.", 403)
    member = passkey.staff_member
    subject = subject_from_member(member)
    if current is not None and current.subject_id != subject.subject_id and _is_step_up(request):
        services.step_up_check_record(
            subject=current,
            event=None,
            succeeded=False,
            reason="a passkey of another person was offered",
        )
        return _error("Use your own passkey to confirm this action.", 403)
    expected = _expected_email(request, current)
    if expected and not _email_matches(member, expected):
        audit_record(
            actor=subject.label,
            action="stepup.passkey_refused",
            target="stepup:authenticate",
            details={"reason": "the check asked for another person's passkey"},
        )
        return _error("Use your own passkey to confirm this action.", 403)
    try:
        assertion = passkeys.verify_authentication(
            relying_party(),
            bytes.fromhex(challenge),
            credential_json,
            public_key=bytes(passkey.public_key),
            sign_count=passkey.sign_count,
        )
    except passkeys.PasskeyError as exc:
        services.step_up_check_record(subject=subject, event=None, succeeded=False, reason=str(exc))
        return _error(str(exc))
    with transaction.atomic():
        # Conditional update: two sign-ins racing with one counter value cannot both pass.
        updated = Passkey.objects.filter(id=passkey.id, sign_count=passkey.sign_count).update(
            sign_count=assertion.new_sign_count, last_used_at=timezone.now()
        )
    if not updated:
        services.step_up_check_record(
            subject=subject, event=None, succeeded=False, reason="sign count replayed"
        )
        return _error("This passkey answer was already used.", 409)
    event = AuthEvent(PASSKEY, timezone.now(), user_verified=assertion.user_verified)
    if current is not None and current.subject_id == subject.subject_id:
        record_auth_event(request, event)
    else:
        sso_session_start(request, subject, event)
    services.step_up_check_record(subject=subject, event=event, succeeded=True)
    request.session.pop(CHALLENGE_KEY, None)  # answered: it must not shape a later check
    next_url = safe_next_url(request, body.get("next")) or "/"
    return JsonResponse({"next": next_url})


@require_POST
def cancel(request):
    """Give up on the check: the pending SAML request is answered with NoAuthnContext."""
    next_url = safe_next_url(request, request.POST.get("next"))
    match = re.fullmatch(r"/idp/sso/continue/([^/?#]+)", next_url or "")
    if not match:
        return redirect("/")
    request.session[CANCELLED_KEY] = match.group(1)
    subject = sso_session_subject(request)
    if subject is not None:
        services.step_up_check_record(
            subject=subject, event=None, succeeded=False, reason="check cancelled"
        )
    return redirect(next_url)


def _is_step_up(request) -> bool:
    return (request.session.get(CHALLENGE_KEY) or {}).get("mode") == "step-up"
