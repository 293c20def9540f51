"""Every write of staff onboarding. Each service validates, saves, audits in the same
transaction, and enqueues mail or tasks only once the transaction commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from idbridge import passkeys
from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusError, CampusPerson
from idbridge.core.mail import mail_send
from staff.models import (
    CampusConnection,
    CaseEvent,
    Invitation,
    OnboardingCase,
    Passkey,
    StaffMember,
)
from staff.transitions import Event, IllegalTransition, State, next_state

INVITATION_SALT = "staff.invitation"


class OnboardingError(Exception):
    """A request the case cannot take; the message is safe to show to the person."""


# --- Discovery ----------------------------------------------------------------------------


MEMBER_FIELDS = [
    "campus_person_id",
    "staff_number",
    "first_name",
    "last_name",
    "middle_name",
    "work_email",
    "personal_email",
    "roles",
    "is_staff_in_campus",
    "campus_modified_at",
    "last_seen_at",
]


def _member_values(person: CampusPerson, now) -> dict:
    return {
        "campus_person_id": person.person_id,
        "staff_number": person.staff_number,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "middle_name": person.middle_name,
        "work_email": person.work_email,
        "personal_email": person.personal_email,
        "roles": list(person.roles),
        "is_staff_in_campus": person.is_staff and person.is_active,
        "campus_modified_at": person.date_modified,
        "last_seen_at": now,
    }


def staff_records_from_campus(
    *, connection: CampusConnection, persons: list[CampusPerson], actor="campus:poller"
) -> dict:
    """Record what Campus reported about ``persons``: upsert staff, open a case for each new
    staff member (its invitation is queued once the transaction commits), revoke leavers.

    Idempotent: keyed on (connection, Campus person), so a re-poll never makes a second
    case or a second invitation. A batch costs a handful of queries whatever its size;
    the audit log gets one entry per batch naming every case opened.
    """
    now = timezone.now()
    by_key = {p.key: p for p in persons}
    counts = {"new_cases": 0, "updated": 0, "revoked": 0}
    with transaction.atomic():
        existing = {
            m.campus_key: m
            for m in StaffMember.objects.select_for_update(of=("self",))
            .filter(connection=connection, campus_key__in=list(by_key))
            .select_related("case")
        }
        new_members, changed, needing_case, leavers = [], [], [], []
        for key, person in by_key.items():
            staff_now = person.is_staff and person.is_active
            member = existing.get(key)
            if member is None:
                if staff_now:  # not staff and never was: nothing to record
                    member = StaffMember(
                        connection=connection, campus_key=key, **_member_values(person, now)
                    )
                    member.birth_date = person.birth_date.isoformat() if person.birth_date else ""
                    new_members.append(member)
                continue
            for name, value in _member_values(person, now).items():
                setattr(member, name, value)
            if person.birth_date:  # OneRoster brings it only on demand: keep what we have
                member.birth_date = person.birth_date.isoformat()
            changed.append(member)
            case = getattr(member, "case", None) if hasattr(member, "case") else None
            if staff_now and case is None:
                needing_case.append(member)
            elif not staff_now and case is not None and case.state != State.REVOKED:
                leavers.append(case)
        StaffMember.objects.bulk_create(new_members)
        StaffMember.objects.bulk_update(changed, [*MEMBER_FIELDS, "birth_date"])
        cases = OnboardingCase.objects.bulk_create(
            [
                OnboardingCase(
                    staff_member=member,
                    state=State.DISCOVERED,
                    requires_supervised_proofing=settings.STAFF_REQUIRE_SUPERVISED_PROOFING,
                )
                for member in [*new_members, *needing_case]
            ]
        )
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    actor_label=actor,
                    event="discover",
                    from_state="",
                    to_state=State.DISCOVERED,
                    reason="new staff member in Campus",
                )
                for case in cases
            ]
        )
        if cases:
            audit_record(
                actor=actor,
                action="staff.discovered",
                target=connection,
                details={
                    "count": len(cases),
                    "cases": [c.id for c in cases],
                    "staff_numbers": [c.staff_member.staff_number for c in cases],
                },
            )
            case_ids = [c.id for c in cases]
            transaction.on_commit(lambda: _enqueue_invitations(case_ids))
        for case in leavers:
            _revoke(case, actor, "no longer staff in Campus")
        counts.update(new_cases=len(cases), updated=len(changed), revoked=len(leavers))
    return counts


def staff_mark_gone(*, connection: CampusConnection, keys: list[str], actor) -> int:
    """Staff a full reconciliation no longer finds in Campus: revoke their access."""
    revoked = 0
    with transaction.atomic():
        members = StaffMember.objects.select_for_update(of=("self",)).filter(
            connection=connection, campus_key__in=keys
        )
        for member in members.select_related("case"):
            member.is_staff_in_campus = False
            member.save(update_fields=["is_staff_in_campus"])
            case = getattr(member, "case", None) if hasattr(member, "case") else None
            if case is not None and case.state != State.REVOKED:
                _revoke(case, actor, "not found in Campus by a full reconciliation")
                revoked += 1
    return revoked


def staff_record_from_campus(
    *, connection: CampusConnection, person: CampusPerson, actor="campus:poller"
) -> tuple[StaffMember | None, bool]:
    """One person: (their staff record or None, whether a case was opened)."""
    counts = staff_records_from_campus(connection=connection, persons=[person], actor=actor)
    member = StaffMember.objects.filter(connection=connection, campus_key=person.key).first()
    return member, counts["new_cases"] == 1


INVITATION_TASK_CHUNK = 100


def _enqueue_invitations(case_ids: list[int]):
    from staff.tasks import send_first_invitations

    for i in range(0, len(case_ids), INVITATION_TASK_CHUNK):
        send_first_invitations.delay(case_ids[i : i + INVITATION_TASK_CHUNK])


# --- Transitions --------------------------------------------------------------------------


def _log(case, actor, event, from_state, to_state, reason):
    CaseEvent.objects.create(
        case=case,
        actor_label=actor if isinstance(actor, str) else actor.get_username(),
        event=str(event),
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason[:500],
    )


def _transition(case: OnboardingCase, event: Event, actor, reason: str) -> OnboardingCase:
    """Move ``case`` (locked by the caller) along the transition table; log and audit."""
    before = State(case.state)
    try:
        after = next_state(before, event)
    except IllegalTransition as exc:
        raise OnboardingError(str(exc)) from None
    case.state = after
    if after == State.VERIFIED:
        case.verified_at = timezone.now()
    case.save()
    _log(case, actor, event, before, after, reason)
    audit_record(
        actor=actor,
        action=f"staff.case.{event.value}",
        target=case,
        details={"from": before.value, "to": after.value, "reason": reason},
    )
    return case


def _locked(case_id: int) -> OnboardingCase:
    return OnboardingCase.objects.select_for_update().select_related("staff_member").get(id=case_id)


def _disable_passkeys(member: StaffMember, reason: str) -> int:
    return Passkey.objects.filter(staff_member=member, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), disabled_reason=reason[:200]
    )


def _revoke(case, actor, reason):
    disabled = _disable_passkeys(case.staff_member, reason)
    # Ends every open IdP session of this person: sessions check this time stamp.
    StaffMember.objects.filter(id=case.staff_member_id).update(sessions_revoked_at=timezone.now())
    Invitation.objects.filter(case=case, used_at__isnull=True, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )
    _transition(case, Event.REVOKE, actor, f"{reason} ({disabled} passkeys disabled)")


def case_revoke(*, case: OnboardingCase, actor, reason: str) -> OnboardingCase:
    with transaction.atomic():
        case = _locked(case.id)
        _revoke(case, actor, reason or "revoked by an administrator")
    return case


# --- Invitations --------------------------------------------------------------------------


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_link(invitation_id: int, secret: str) -> str:
    token = signing.dumps({"i": invitation_id, "s": secret}, salt=INVITATION_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("staff:welcome", args=[token])


def invitation_send(
    *, case: OnboardingCase, actor, reason: str = "invitation", reproof: bool = False
) -> tuple[Invitation, str]:
    """Send a new invitation (earlier links stop working); returns it and its link.

    Limited to STAFF_INVITATION_MAX_SENDS per case so a mistyped address cannot be spammed.
    """
    with transaction.atomic():
        case = _locked(case.id)
        member = case.staff_member
        to = member.invitation_email
        if not to:
            raise OnboardingError("Campus has no work or personal email for this person.")
        if case.invitations_sent >= settings.STAFF_INVITATION_MAX_SENDS:
            raise OnboardingError(
                f"This person has been invited {case.invitations_sent} times already; "
                "check their email address in Campus."
            )
        now = timezone.now()
        if reproof:
            disabled = _disable_passkeys(member, "re-proofing started")
            case.record_check_attempts = 0
            case.record_checked_at = None
            case.supervised_checked_at = None
            case.supervised_checked_by = None
            case.verified_at = None
            case.invitations_sent = 0
            _transition(case, Event.REPROOF, actor, f"{reason} ({disabled} passkeys disabled)")
        else:
            _transition(case, Event.INVITE, actor, reason)
        Invitation.objects.filter(
            case=case, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        secret = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            case=case,
            secret_hash=_secret_hash(secret),
            sent_to=to,
            expires_at=now + timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS),
        )
        case.invitations_sent += 1
        case.save(update_fields=["invitations_sent", "updated_at"])
        link = invitation_link(invitation.id, secret)
        transaction.on_commit(lambda: _mail_invitation(member, to, link, invitation.expires_at))
    return invitation, link


def _mail_invitation(member, to, link, expires_at, *, reminder=False):
    context = {
        "member": member,
        "link": link,
        "expires_at": expires_at,
        "reminder": reminder,
        "district": settings.WEBAUTHN_RP_NAME,
    }
    subject = ("Reminder: " if reminder else "") + "Set up your district sign-in"
    message = EmailMultiAlternatives(
        subject, render_to_string("staff/email/invitation.txt", context), to=[to]
    )
    message.attach_alternative(
        render_to_string("staff/email/invitation.html", context), "text/html"
    )
    if not mail_send(message, what="invitation"):
        case_note(
            case=member.case,
            actor="system",
            note="The invitation email could not be sent (mail server error): resend it.",
        )


def invitations_remind_and_expire(*, now=None) -> dict:
    """Remind once after STAFF_INVITATION_REMINDER_HOURS; expire cases whose link ran out.

    A reminder carries a fresh link (the old one's secret is not stored, so it cannot be
    re-sent) and does not count against the re-invite limit's budget twice.
    """
    now = now or timezone.now()
    counts = {"reminded": 0, "expired": 0}
    due = Invitation.objects.filter(
        used_at__isnull=True,
        superseded_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now,
        created_at__lte=now - timedelta(hours=settings.STAFF_INVITATION_REMINDER_HOURS),
        case__state=State.INVITED,
    ).values_list("id", flat=True)
    for invitation_id in list(due):
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update()
                .select_related("case__staff_member")
                .get(id=invitation_id)
            )
            if invitation.reminded_at or invitation.used_at or invitation.superseded_at:
                continue
            secret = secrets.token_urlsafe(32)
            reminder = Invitation.objects.create(
                case=invitation.case,
                secret_hash=_secret_hash(secret),
                sent_to=invitation.sent_to,
                expires_at=invitation.expires_at,
                reminded_at=now,
            )
            invitation.superseded_at = now
            invitation.reminded_at = now
            invitation.save(update_fields=["superseded_at", "reminded_at"])
            member, link = invitation.case.staff_member, invitation_link(reminder.id, secret)
            audit_record(actor="system", action="staff.invitation.reminded", target=invitation.case)
            transaction.on_commit(
                lambda m=member, t=reminder.sent_to, li=link, e=reminder.expires_at: (
                    _mail_invitation(m, t, li, e, reminder=True)
                )
            )
            counts["reminded"] += 1
    stale = (
        OnboardingCase.objects.filter(state__in=[State.INVITED, State.PROOFING])
        .exclude(invitations__expires_at__gt=now)
        .values_list("id", flat=True)
    )
    for case_id in list(stale):
        with transaction.atomic():
            case = _locked(case_id)
            if (
                case.state in (State.INVITED, State.PROOFING)
                and not case.invitations.filter(expires_at__gt=now).exists()
            ):
                _transition(case, Event.EXPIRE, "system", "the invitation expired")
                counts["expired"] += 1
    return counts


def invitation_redeem(*, token: str) -> OnboardingCase:
    """Open an invitation link: proves possession of the mailbox. Works once."""
    max_age = timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
        invitation_id, secret = int(data["i"]), str(data["s"])
    except signing.SignatureExpired:
        raise OnboardingError("This invitation has expired. Ask HR to send a new one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise OnboardingError("This invitation link is not valid.") from None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(id=invitation_id)
            .select_related("case")
            .first()
        )
        if invitation is None or not secrets.compare_digest(
            invitation.secret_hash, _secret_hash(secret)
        ):
            raise OnboardingError("This invitation link is not valid.")
        now = timezone.now()
        if invitation.used_at:
            raise OnboardingError("This invitation link has already been used.")
        if invitation.superseded_at:
            raise OnboardingError("A newer invitation was sent; use the link in the latest email.")
        if invitation.expires_at <= now:
            raise OnboardingError("This invitation has expired. Ask HR to send a new one.")
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        case = _locked(invitation.case_id)
        if case.state not in (State.INVITED, State.PROOFING):
            raise OnboardingError("This invitation can no longer be used. Ask HR for help.")
        _transition(case, Event.OPEN_LINK, case.staff_member.display_name, "invitation link opened")
    return case


# --- Proofing -----------------------------------------------------------------------------


def record_check_submit(*, case: OnboardingCase, birth_date: str, staff_number: str) -> bool:
    """The applicant confirms facts from their Campus record; locks after too many misses."""
    with transaction.atomic():
        case = _locked(case.id)
        if case.state != State.PROOFING:
            raise OnboardingError("This step is not open.")
        member = case.staff_member
        expected_birth = member.birth_date.reveal()
        expected_number = (member.staff_number or "").strip().upper()
        actor = member.display_name
        if not expected_birth or not expected_number:
            # Nothing to compare with: no answer could pass, so no attempt is counted.
            raise OnboardingError(
                "Your district record has no birth date or staff number to check against. "
                "Ask HR to complete your record in Campus, then try again."
            )
        ok = _same(birth_date.strip(), expected_birth) and _same(
            staff_number.strip().upper(), expected_number
        )
        if ok:
            case.record_checked_at = timezone.now()
            case.save(update_fields=["record_checked_at", "updated_at"])
            _log(case, actor, "record_check", case.state, case.state, "record facts confirmed")
            audit_record(actor=actor, action="staff.proofing.record_check_passed", target=case)
            return True
        case.record_check_attempts += 1
        case.save(update_fields=["record_check_attempts", "updated_at"])
        audit_record(
            actor=actor,
            action="staff.proofing.record_check_failed",
            target=case,
            details={"attempt": case.record_check_attempts},
        )
        if case.record_check_attempts >= settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS:
            _transition(case, Event.LOCK, actor, "too many failed record checks")
        return False


def staff_refresh_birth_date(*, member: StaffMember) -> None:
    """Fetch the birth date from Campus when discovery did not bring it (OneRoster keeps
    it under demographics: read it only for people who reach the record check)."""
    from staff.connectors import connector_for

    connector = connector_for(member.connection)
    if hasattr(connector, "birth_date"):
        birth = connector.birth_date(member.campus_key)
    else:
        person = connector.get_person(member.campus_key)
        birth = person.birth_date if person else None
    if birth:
        member.birth_date = birth.isoformat()
        member.save(update_fields=["birth_date"])


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def supervised_check_record(
    *, case: OnboardingCase, actor, approved: bool, document: str, note: str = ""
) -> OnboardingCase:
    """An HR operator (trusted referee) records the inspection of an identity document."""
    with transaction.atomic():
        case = _locked(case.id)
        if not case.requires_supervised_proofing:
            raise OnboardingError("This case does not need a supervised check.")
        if case.state not in (State.PROOFING, State.ENROLLED):
            raise OnboardingError(f"A supervised check cannot be recorded while {case.state}.")
        details = {"document": document[:100], "note": note[:300], "approved": approved}
        if not approved:
            _disable_passkeys(case.staff_member, "supervised check rejected")
            _transition(case, Event.REJECT, actor, f"document check failed: {document}")
            audit_record(
                actor=actor,
                action="staff.proofing.supervised_rejected",
                target=case,
                details=details,
            )
            return case
        case.supervised_checked_at = timezone.now()
        case.supervised_checked_by = actor
        case.save(update_fields=["supervised_checked_at", "supervised_checked_by", "updated_at"])
        audit_record(
            actor=actor, action="staff.proofing.supervised_approved", target=case, details=details
        )
        if case.state == State.ENROLLED:
            _transition(case, Event.COMPLETE, actor, "supervised check approved")
    return case


# --- Passkeys -----------------------------------------------------------------------------


def relying_party() -> passkeys.RelyingParty:
    base = urlsplit(settings.PUBLIC_BASE_URL)
    return passkeys.RelyingParty(
        id=settings.WEBAUTHN_RP_ID or base.hostname,
        name=settings.WEBAUTHN_RP_NAME,
        origin=f"{base.scheme}://{base.netloc}",
    )


def _passkey_create(member: StaffMember, new: passkeys.NewPasskey, name: str) -> Passkey:
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


def passkey_enroll(*, case: OnboardingCase, new: passkeys.NewPasskey, name: str) -> Passkey:
    """Bind a verified passkey to the applicant; the case becomes enrolled / verified."""
    with transaction.atomic():
        case = _locked(case.id)
        if case.state != State.PROOFING or case.record_checked_at is None:
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
        _transition(case, Event.ENROLL, actor, f"passkey “{passkey.name}” registered")
        if not case.requires_supervised_proofing or case.supervised_checked_at:
            _transition(case, Event.COMPLETE, actor, "all proofing steps complete")
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


def passkey_add(*, member: StaffMember, new: passkeys.NewPasskey, name: str) -> Passkey:
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
        "link": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("staff:own_passkeys"),
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


def case_note(*, case: OnboardingCase, actor, note: str) -> None:
    """A timeline entry that changes no state (e.g. why an invitation could not be sent)."""
    _log(case, actor, "note", case.state, case.state, note)


# --- Campus connections -------------------------------------------------------------------


def connection_save(*, form, actor) -> CampusConnection:
    """Save a connection form; the audit entry names the fields changed, never secrets."""
    with transaction.atomic():
        creating = form.instance.pk is None
        connection = form.save()
        changed = [f for f in form.changed_data if f not in form.SECRET_FIELDS]
        secrets_changed = [f for f in form.SECRET_FIELDS if form.cleaned_data.get(f)]
        audit_record(
            actor=actor,
            action="staff.connection.created" if creating else "staff.connection.changed",
            target=connection,
            details={"fields": changed, "credentials_replaced": secrets_changed},
        )
    return connection


def connection_test(*, connection: CampusConnection, actor) -> tuple[bool, str]:
    """Try the credentials now; the answer is shown to the administrator and audited."""
    from staff.connectors import connector_for

    try:
        message, ok = connector_for(connection).test_connection(), True
    except CampusError as exc:
        message, ok = str(exc), False
    audit_record(
        actor=actor,
        action="staff.connection.tested",
        target=connection,
        details={"ok": ok, "message": message[:300]},
    )
    return ok, message


def connection_poll_now(*, connection: CampusConnection, actor, full=False, accept_shrink=False):
    from staff.tasks import poll_connection

    audit_record(
        actor=actor,
        action="staff.connection.poll_requested",
        target=connection,
        details={"full": full, "accept_shrink": accept_shrink},
    )
    transaction.on_commit(
        lambda: poll_connection.delay(connection.id, full=full, accept_shrink=accept_shrink)
    )
