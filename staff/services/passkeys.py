"""The Passkey rows: enrollment at the end of onboarding, a verified person's second
device, rename, retire. The WebAuthn ceremonies (``stepup.ceremonies``) verify the
browser's answer and hand these services a :class:`NewPasskey`: plain data."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.core.mail import mail_send
from staff.models import OnboardingCase, Passkey, StaffMember
from staff.services.cases import OnboardingError, case_lock, case_note, case_transition
from staff.transitions import Event, State


@dataclass(frozen=True)
class NewPasskey:
    """A passkey whose registration has been verified, ready to be stored."""

    credential_id: str  # base64url
    public_key: bytes
    sign_count: int
    aaguid: str
    is_backed_up: bool
    transports: list[str]


def _passkey_create(member: StaffMember, new: NewPasskey, name: str) -> Passkey:
    if Passkey.objects.filter(credential_id=new.credential_id).exists():
        raise OnboardingError("This passkey is already registered.")
    return Passkey.objects.create(
        staff_member=member,
        name=(name or "").strip()[:100] or "Passkey",
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        aaguid=new.aaguid,
        transports=new.transports,
        is_backed_up=new.is_backed_up,
    )


def passkey_enroll(*, case: OnboardingCase, new: NewPasskey, name: str) -> Passkey:
    """Bind a verified passkey to the applicant; the case becomes enrolled / verified."""
    with transaction.atomic():
        case = case_lock(case.id)
        if case.state != State.PROOFING or not case.is_ready_for_passkey:
            raise OnboardingError("Confirm your record details before adding a passkey.")
        member = case.staff_member
        passkey = _passkey_create(member, new, name)
        actor = member.display_name
        audit_record(
            actor=actor,
            action="staff.passkey.registered",
            target=passkey,
            details={"name": passkey.name, "aaguid": new.aaguid},
        )
        case_transition(case, Event.ENROLL, actor, f"passkey “{passkey.name}” registered")
        if not case.requires_supervised_proofing or case.supervised_checked_at:
            case_transition(case, Event.COMPLETE, actor, "all proofing steps complete")
    return passkey


def _own_passkey_locked(member: StaffMember, passkey_id: int) -> Passkey:
    passkey = (
        Passkey.objects.select_for_update()
        .filter(id=passkey_id, staff_member=member, disabled_at__isnull=True)
        .first()
    )
    if passkey is None:
        raise OnboardingError("That passkey is not one of your active passkeys.")
    return passkey


def _member_verified_locked(member: StaffMember) -> StaffMember:
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the case.
    member = (
        StaffMember.objects.select_for_update(of=("self",)).select_related("case").get(id=member.id)
    )
    if getattr(member, "case", None) is None or member.case.state != State.VERIFIED:
        raise OnboardingError("Only verified staff can change their passkeys.")
    return member


def passkey_add(*, member: StaffMember, new: NewPasskey, name: str) -> Passkey:
    """A verified staff member adds another passkey (a second device); they are told by
    email, so a passkey added by someone else does not go unnoticed."""
    with transaction.atomic():
        member = _member_verified_locked(member)
        passkey = _passkey_create(member, new, name)
        audit_record(
            actor=member.display_name,
            action="staff.passkey.registered",
            target=passkey,
            details={"name": passkey.name, "aaguid": new.aaguid, "additional": True},
        )
        case_note(
            case=member.case, actor=member.display_name, note=f"passkey “{passkey.name}” added"
        )
        transaction.on_commit(lambda: _mail_passkey_change(member, passkey.name, added=True))
    return passkey


def passkey_rename(*, member: StaffMember, passkey_id: int, name: str) -> Passkey:
    name = (name or "").strip()[:100]
    if not name:
        raise OnboardingError("Give the passkey a name.")
    with transaction.atomic():
        member = _member_verified_locked(member)
        passkey = _own_passkey_locked(member, passkey_id)
        old = passkey.name
        passkey.name = name
        passkey.save(update_fields=["name"])
        audit_record(
            actor=member.display_name,
            action="staff.passkey.renamed",
            target=passkey,
            details={"from": old, "to": name},
        )
    return passkey


def passkey_disable_own(*, member: StaffMember, passkey_id: int) -> Passkey:
    """The person retires one of their passkeys (a replaced phone). The last active one
    stays: without it they could not sign in; a lost last device is HR's re-proofing."""
    with transaction.atomic():
        member = _member_verified_locked(member)
        passkey = _own_passkey_locked(member, passkey_id)
        others = (
            Passkey.objects.filter(staff_member=member, disabled_at__isnull=True)
            .exclude(id=passkey.id)
            .count()
        )
        if not others:
            raise OnboardingError(
                "This is your only passkey: add another before removing it, "
                "or ask HR to re-proof you if the device is lost."
            )
        passkey.disabled_at = timezone.now()
        passkey.disabled_reason = "removed by its owner"
        passkey.save(update_fields=["disabled_at", "disabled_reason"])
        audit_record(
            actor=member.display_name,
            action="staff.passkey.disabled",
            target=passkey,
            details={"name": passkey.name, "reason": passkey.disabled_reason},
        )
        case_note(
            case=member.case,
            actor=member.display_name,
            note=f"passkey “{passkey.name}” removed by its owner",
        )
        transaction.on_commit(lambda: _mail_passkey_change(member, passkey.name, added=False))
    return passkey


def _mail_passkey_change(member: StaffMember, name: str, *, added: bool) -> None:
    to = member.work_email or member.personal_email
    if not to:
        return
    context = {
        "member": member,
        "name": name,
        "added": added,
        "district": settings.WEBAUTHN_RP_NAME,
        "link": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("stepup:own_passkeys"),
    }
    subject = (
        "A passkey was added to your district sign-in"
        if added
        else ("A passkey was removed from your district sign-in")
    )
    message = EmailMultiAlternatives(
        subject, render_to_string("staff/email/passkey_change.txt", context), to=[to]
    )
    message.attach_alternative(
        render_to_string("staff/email/passkey_change.html", context), "text/html"
    )
    mail_send(message, what="passkey change notice")
