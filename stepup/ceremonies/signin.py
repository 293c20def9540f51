"""Usernameless sign-in to the IdP and the fresh biometric check of a step-up.

Both are WebAuthn assertions with user verification required (the device's fingerprint
or face check) and a sign count that must grow, claimed with a conditional UPDATE so two
answers racing with one counter value cannot both pass. A verified assertion either
starts the SSO session or, for the person already signed in, adds an event to it (the
views do that: it is the browser's session); the pending SAML request then resumes at
``next``. Every outcome is audited here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from staff.models import Passkey, StaffMember
from staff.selectors import verified_member_for_sso
from staff.transitions import State
from stepup import webauthn
from stepup.ceremonies import limits, outcomes
from stepup.ceremonies.common import TOO_MANY, CeremonyRefused, relying_party
from stepup.policy import PASSKEY, AuthEvent
from stepup.services.decisions import step_up_check_record
from stepup.subjects import Subject

NOT_YOURS = "Use your own passkey to confirm this action."


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
    member = verified_member_for_sso(subject_id)
    return subject_from_member(member) if member else None


@dataclass(frozen=True)
class CheckRequest:
    """What the session says about the check being answered, as plain data."""

    current: Subject | None  # signed in to the IdP already
    step_up: bool  # a step-up check (not a first sign-in)
    expected_email: str  # asked for by idbridge's own pages before anyone signed in here


@dataclass(frozen=True)
class SignedIn:
    subject: Subject
    event: AuthEvent


def sign_in_options(check: CheckRequest) -> tuple[str, bytes]:
    """Options for the browser; a step-up allows only the person's own passkeys."""
    allow: list[str] = []
    if check.current is not None:
        allow = _active_credential_ids(Q(staff_member__user_handle=check.current.subject_id))
    elif check.expected_email:
        allow = _active_credential_ids(
            Q(staff_member__work_email__iexact=check.expected_email)
            | Q(staff_member__personal_email__iexact=check.expected_email),
            staff_member__case__state=State.VERIFIED,
        )
        if not allow:
            raise CeremonyRefused(
                f"No district passkey is registered for {check.expected_email}: "
                "staff onboarding gives you one.",
                403,
            )
    return webauthn.prepare_authentication(relying_party(), allow_credential_ids=allow)


def _active_credential_ids(*filters, **lookups) -> list[str]:
    return list(
        Passkey.objects.filter(*filters, disabled_at__isnull=True, **lookups).values_list(
            "credential_id", flat=True
        )
    )


def sign_in_verify(*, check: CheckRequest, challenge: bytes, credential_json: str) -> SignedIn:
    """Verify the browser's assertion for ``check``; refusals are audited and raised.

    The credential the answer names is rate-limited before anything is verified, and each
    refusal counts against it (``stepup.ceremonies.limits``)."""
    try:
        credential_id, _ = webauthn.credential_id_of(credential_json)
    except webauthn.PasskeyError:
        raise CeremonyRefused("The browser sent an unreadable answer.") from None
    if not limits.credential_attempt_allowed(credential_id):
        raise CeremonyRefused(TOO_MANY, 429)
    try:
        return _assertion_accept(check, challenge, credential_json, credential_id)
    except CeremonyRefused:
        limits.credential_failure_count(credential_id)
        raise


def _assertion_accept(
    check: CheckRequest, challenge: bytes, credential_json: str, credential_id: str
) -> SignedIn:
    passkey = _passkey_offered(credential_id)
    subject = subject_from_member(passkey.staff_member)
    _refuse_another_person(check, passkey.staff_member, subject)
    assertion = _assertion_verify(passkey, subject, challenge, credential_json)
    _sign_count_advance(passkey, assertion, subject)
    event = AuthEvent(PASSKEY, timezone.now(), user_verified=assertion.user_verified)
    step_up_check_record(subject=subject, event=event, succeeded=True)
    return SignedIn(subject, event)


def _passkey_offered(credential_id: str) -> Passkey:
    """The active passkey of verified staff the answer names, or an audited refusal that
    says which it is not (unknown, disabled, its owner not verified)."""
    passkey = (
        Passkey.objects.select_related("staff_member", "staff_member__case")
        .filter(credential_id=credential_id)
        .first()
    )
    case = getattr(passkey.staff_member, "case", None) if passkey is not None else None
    failure = None
    if passkey is None:
        failure = outcomes.UNKNOWN_CREDENTIAL
    elif not passkey.is_active:
        failure = outcomes.DISABLED_CREDENTIAL
    elif case is None or case.state != State.VERIFIED:
        failure = outcomes.UNVERIFIED_PERSON
    if failure is not None:
        passkey_refusal_record(actor="anonymous", reason=failure.audit, outcome=failure.code)
        raise CeremonyRefused("This passkey is not registered for district sign-in.", 403)
    return passkey


def _refuse_another_person(check: CheckRequest, member: StaffMember, subject: Subject) -> None:
    """A step-up is the signed-in person's own check; one asked for by e-mail, that
    person's."""
    current = check.current
    if current is not None and current.subject_id != subject.subject_id and check.step_up:
        step_up_check_record(
            subject=current,
            event=None,
            succeeded=False,
            reason="a passkey of another person was offered",
        )
        raise CeremonyRefused(NOT_YOURS, 403)
    emails = {(member.work_email or "").lower(), (member.personal_email or "").lower()}
    if check.expected_email and check.expected_email not in emails:
        passkey_refusal_record(
            actor=subject.label, reason="the check asked for another person's passkey"
        )
        raise CeremonyRefused(NOT_YOURS, 403)


def _assertion_verify(
    passkey: Passkey, subject: Subject, challenge: bytes, credential_json: str
) -> webauthn.Assertion:
    try:
        return webauthn.verify_authentication(
            relying_party(),
            challenge,
            credential_json,
            public_key=bytes(passkey.public_key),
            sign_count=passkey.sign_count,
        )
    except webauthn.PasskeyError as exc:
        failure = outcomes.UV_MISSING if exc.user_not_verified else None
        step_up_check_record(
            subject=subject, event=None, succeeded=False, reason=str(exc), failure=failure
        )
        raise CeremonyRefused(str(exc)) from None


def _sign_count_advance(passkey: Passkey, assertion: webauthn.Assertion, subject: Subject) -> None:
    """Conditional update: two sign-ins racing with one counter value cannot both pass."""
    with transaction.atomic():
        updated = Passkey.objects.filter(id=passkey.id, sign_count=passkey.sign_count).update(
            sign_count=assertion.new_sign_count, last_used_at=timezone.now()
        )
    if not updated:
        step_up_check_record(
            subject=subject, event=None, succeeded=False, reason="sign count replayed"
        )
        raise CeremonyRefused("This passkey answer was already used.", 409)


def passkey_refusal_record(*, actor: str, reason: str, outcome: str = "") -> None:
    """Audit an answer refused before any passkey could be checked (``outcome``: its
    code in ``stepup.ceremonies.outcomes``, when it has one)."""
    details = {"reason": reason, **({"outcome": outcome} if outcome else {})}
    audit_record(
        actor=actor,
        action="stepup.passkey_refused",
        target="stepup:authenticate",
        details=details,
    )


def check_cancelled_record(subject: Subject | None) -> None:
    """The person gave up on the check (the SP is answered NoAuthnContext)."""
    if subject is not None:
        step_up_check_record(
            subject=subject, event=None, succeeded=False, failure=outcomes.CANCELLED_ON_PAGE
        )
