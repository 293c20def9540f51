"""Invitations: single-use, expiring, signed links by e-mail; reminders and expiry."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from idbridge import ratelimit
from idbridge.audit.services import audit_record
from idbridge.core.mail import mail_send
from staff.models import Invitation, OnboardingCase
from staff.selectors import MAIL_FAILED_NOTE
from staff.services.cases import (
    OnboardingError,
    case_lock,
    case_note,
    case_transition,
    member_passkeys_disable,
)
from staff.services.proofing import record_facts_request
from staff.services.second_factor import second_factor_clear
from staff.transitions import Event, State

INVITATION_SALT = "staff.invitation"

log = logging.getLogger("idbridge.staff")


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
    return _invitation_issue(case.id, actor, reason, Event.REPROOF if reproof else Event.INVITE)


def invitation_resend(
    *, case: OnboardingCase, actor, reason: str = "resent from the dashboard"
) -> tuple[Invitation, str]:
    """HR sends a fresh link to a case that is invited, or proofing (the applicant lost
    the browser session): a proofing case restarts, its record check to be done again."""
    return _invitation_issue(case.id, actor, reason, None)


def case_unlock_resend(*, case: OnboardingCase, actor, reason: str) -> tuple[Invitation, str]:
    """HR unlocks a case locked by failed record checks (their count cleared, passkeys
    kept) and sends a fresh invitation; ``reason`` is required and audited."""
    if not reason.strip():
        raise OnboardingError("Give a reason.")
    return _invitation_issue(case.id, actor, reason.strip(), Event.UNLOCK)


def _invitation_issue(case_id: int, actor, reason: str, event: Event | None):
    """Move the case along ``event`` (None: invite, or restart when proofing) and send a
    new link; earlier links are superseded. All in one transaction, audited."""
    with transaction.atomic():
        case = case_lock(case_id)
        to = _invitation_address(case)
        if event is None:
            event = Event.RESTART if case.state == State.PROOFING else Event.INVITE
        _case_restart(case, event, actor, reason)
        now = timezone.now()
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
        member = case.staff_member
        transaction.on_commit(
            lambda: _mail_invitation(member, to, link, invitation.expires_at, invitation.id)
        )
        record_facts_request(member=member, prefetch=True)  # ready before the link is opened
    return invitation, link


def _invitation_address(case: OnboardingCase) -> str:
    """Where the invitation goes; refused without an address or over the re-invite limit."""
    to = case.staff_member.invitation_email
    if not to:
        raise OnboardingError("Campus has no work or personal email for this person.")
    if case.invitations_sent >= settings.STAFF_INVITATION_MAX_SENDS:
        raise OnboardingError(
            f"This person has been invited {case.invitations_sent} times already; "
            "check their email address in Campus."
        )
    return to


def _case_restart(case: OnboardingCase, event: Event, actor, reason: str) -> None:
    """Take the case back to invited along ``event``, clearing what it starts over."""
    if event == Event.REPROOF:
        disabled = member_passkeys_disable(case.staff_member, "re-proofing started")
        case.record_check_attempts = 0
        case.record_checked_at = None
        case.supervised_checked_at = None
        case.supervised_checked_by = None
        case.verified_at = None
        case.invitations_sent = 0
        second_factor_clear(case, attempts=True)
        reason = f"{reason} ({disabled} passkeys disabled)"
    elif event == Event.UNLOCK:
        attempts = case.record_check_attempts
        codes = case.code_attempts
        case.record_check_attempts = 0
        case.record_checked_at = None
        second_factor_clear(case, attempts=True)
        reason = f"{reason} ({attempts} failed record checks cleared)"
        if codes:
            reason = f"{reason[:-1]}, {codes} wrong codes cleared)"
    elif event == Event.RESTART:
        # Failed attempts still count: only an unlock, with a reason, clears them.
        case.record_checked_at = None
        second_factor_clear(case, attempts=False)
        reason = f"{reason} (proofing restarts: record check to be done again)"
    case_transition(case, event, actor, reason)


def _mail_invitation(member, to, link, expires_at, invitation_id, *, reminder=False):
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
    sent = mail_send(message, what="invitation")
    # The link itself is kept nowhere: only whether the mail left.
    Invitation.objects.filter(id=invitation_id).update(delivery="sent" if sent else "failed")
    if not sent:
        case_note(
            case=member.case,
            actor="system",
            note=f"{MAIL_FAILED_NOTE} (mail server error): resend it.",
        )


def invitations_remind_and_expire(*, now=None) -> dict:
    """Remind once after STAFF_INVITATION_REMINDER_HOURS; expire cases whose link ran out.

    A reminder carries a fresh link (the old one's secret is not stored, so it cannot be
    re-sent) and does not count against the re-invite limit's budget twice.
    """
    now = now or timezone.now()
    due = Invitation.objects.filter(
        used_at__isnull=True,
        superseded_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now,
        created_at__lte=now - timedelta(hours=settings.STAFF_INVITATION_REMINDER_HOURS),
        case__state=State.INVITED,
    ).values_list("id", flat=True)
    reminded = sum(_invitation_remind(invitation_id, now) for invitation_id in list(due))
    stale = (
        OnboardingCase.objects.filter(state__in=[State.INVITED, State.PROOFING])
        .exclude(invitations__expires_at__gt=now)
        .values_list("id", flat=True)
    )
    expired = sum(_case_expire(case_id, now) for case_id in list(stale))
    return {"reminded": reminded, "expired": expired}


def _invitation_remind(invitation_id: int, now) -> bool:
    """Replace a still-open invitation by a reminder with a fresh link; True if sent."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("case__staff_member")
            .get(id=invitation_id)
        )
        if invitation.reminded_at or invitation.used_at or invitation.superseded_at:
            return False
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
            lambda: _mail_invitation(
                member, reminder.sent_to, link, reminder.expires_at, reminder.id, reminder=True
            )
        )
    return True


def _case_expire(case_id: int, now) -> bool:
    """Expire a case waiting on an invitation whose links all ran out; True if expired."""
    with transaction.atomic():
        case = case_lock(case_id)
        if (
            case.state in (State.INVITED, State.PROOFING)
            and not case.invitations.filter(expires_at__gt=now).exists()
        ):
            case_transition(case, Event.EXPIRE, "system", "the invitation expired")
            return True
    return False


class InvitationRefused(OnboardingError):
    """An invitation link that cannot be used; ``reason`` says why, for the audit log
    (``invalid``, ``expired``, ``used``, ``superseded``, ``closed``)."""

    def __init__(self, reason: str, message: str, case: OnboardingCase | None = None):
        super().__init__(message)
        self.reason = reason
        self.case = case


INVALID = "This invitation link is not valid."
EXPIRED = "This invitation has expired. Ask HR to send a new one."


def invitation_redeem(*, token: str, client_ip: str = "") -> OnboardingCase:
    """Open an invitation link: proves possession of the mailbox. Works once.

    A refused link (tampered, expired, used, superseded, or its case closed) raises
    :class:`InvitationRefused` and is audited as ``staff.invitation.refused`` with the
    reason and ``client_ip``, never the token: up to STAFF_REFUSALS_AUDITED_PER_MINUTE per
    client address, more are only logged (a flood must not fill the audit chain).
    """
    try:
        invitation_id, secret = _token_read(token)
        return _invitation_use(invitation_id, secret)
    except InvitationRefused as exc:
        _refusal_record(exc, client_ip)
        raise


def _token_read(token: str) -> tuple[int, str]:
    """The invitation id and secret a signed, unexpired link carries."""
    max_age = timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
        return int(data["i"]), str(data["s"])
    except signing.SignatureExpired:
        raise InvitationRefused("expired", EXPIRED) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationRefused("invalid", INVALID) from None


def _invitation_use(invitation_id: int, secret: str) -> OnboardingCase:
    """Mark the invitation used and move its case on, or refuse (nothing changes)."""
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
            raise InvitationRefused("invalid", INVALID)
        now = timezone.now()
        _invitation_check(invitation, now)
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        case = case_lock(invitation.case_id)
        if case.state not in (State.INVITED, State.PROOFING):
            raise InvitationRefused(
                "closed", "This invitation can no longer be used. Ask HR for help.", case
            )
        case_transition(
            case, Event.OPEN_LINK, case.staff_member.display_name, "invitation link opened"
        )
    return case


def _invitation_check(invitation: Invitation, now) -> None:
    """Refuse an invitation already used, replaced by a newer one, or expired."""
    if invitation.used_at:
        raise InvitationRefused(
            "used", "This invitation link has already been used.", invitation.case
        )
    if invitation.superseded_at:
        raise InvitationRefused(
            "superseded",
            "A newer invitation was sent; use the link in the latest email.",
            invitation.case,
        )
    if invitation.expires_at <= now:
        raise InvitationRefused("expired", EXPIRED, invitation.case)


def _refusal_record(exc: InvitationRefused, client_ip: str) -> None:
    """Audit a refused link, within the per-address budget; beyond it, only log."""
    log.info("invitation link refused", extra={"reason": exc.reason})
    limit = settings.STAFF_REFUSALS_AUDITED_PER_MINUTE
    if not ratelimit.hit("staff-invitation-refused", client_ip or "unknown", limit=limit):
        log.warning("invitation refusals over the audit limit", extra={"reason": exc.reason})
        return
    audit_record(
        actor="anonymous",
        action="staff.invitation.refused",
        target=exc.case,
        details={"reason": exc.reason, "message": str(exc), "client_ip": client_ip},
    )
