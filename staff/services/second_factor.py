"""What the record check adds that only the person has (``STAFF_PROOFING_SECOND_FACTOR``).

A birth date and a staff number are facts HR and auditors read in Campus: an insider who
holds someone's invitation link could pass the record check alone. So when it passes, the
district's setting decides what else the applicant must show, and the case keeps the
decision and its evidence (the channel, its address masked, when), audited:

- ``code``: a one-time code sent to a second channel Campus holds that is not the mailbox
  the invitation went to: the personal e-mail, else a mobile number where texts can be
  sent. Six digits, good for ``STAFF_PROOFING_CODE_TTL_MINUTES``; only an HMAC of it is
  stored, and it is never logged or audited; ``STAFF_PROOFING_CODE_MAX_ATTEMPTS`` wrong
  entries lock the case. With no second channel the case needs HR-supervised
  confirmation instead (``requires_supervised_proofing``).
- ``supervised``: HR-supervised confirmation, always.
- ``none``: nothing more (the README says what that leaves open).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from idbridge.audit.services import audit_record
from idbridge.core.mail import mail_send, text_message_send, text_messages_available
from staff.models import (
    SECOND_FACTOR_CODE,
    SECOND_FACTOR_NONE,
    SECOND_FACTOR_SUPERVISED,
    OnboardingCase,
)
from staff.services.cases import OnboardingError, case_lock, case_log_event, case_transition
from staff.transitions import Event, State

PERSONAL_EMAIL = "personal e-mail"
MOBILE = "mobile"
CODE_NOT_SENT_NOTE = "The proofing code could not be sent"


@dataclass(frozen=True)
class Channel:
    kind: str  # PERSONAL_EMAIL or MOBILE
    address: str

    @property
    def masked(self) -> str:
        """The address as the case page shows it.

        >>> Channel(PERSONAL_EMAIL, "maria.lopez@example.com").masked
        'm•••@example.com'
        >>> Channel(MOBILE, "763-555-0142").masked
        '•••-0142'
        """
        if self.kind == PERSONAL_EMAIL:
            local, _, domain = self.address.partition("@")
            return f"{local[:1]}•••@{domain}"
        return "•••-" + "".join(c for c in self.address if c.isdigit())[-4:]


def second_channel_changed(case: OnboardingCase) -> bool:
    """Whether Campus changed the person's personal e-mail or mobile after their case
    opened: then neither is trusted for the code (HR supervises instead)."""
    changed = case.staff_member.second_channel_changed_at
    return changed is not None and changed >= case.created_at


def second_channel_for(case: OnboardingCase) -> Channel | None:
    """Where a code can reach the person other than the mailbox invited: None if nowhere
    (or nowhere trusted: see :func:`second_channel_changed`)."""
    member = case.staff_member
    if second_channel_changed(case):
        return None
    invited = {a.lower() for a in case.invitations.values_list("sent_to", flat=True)}
    invited |= {member.work_email.lower(), member.invitation_email.lower()}
    personal = member.personal_email.strip()
    if personal and personal.lower() not in invited:
        return Channel(PERSONAL_EMAIL, personal)
    if member.mobile.strip() and text_messages_available():
        return Channel(MOBILE, member.mobile.strip())
    return None


def second_factor_decide(case: OnboardingCase, actor: str) -> None:
    """Decide what the applicant of ``case`` (locked, record check just passed) must show
    next; record and audit it, and send the code when it is one."""
    setting = settings.STAFF_PROOFING_SECOND_FACTOR
    channel = second_channel_for(case) if setting == SECOND_FACTOR_CODE else None
    decision = setting
    if setting == SECOND_FACTOR_CODE and channel is None:
        decision = SECOND_FACTOR_SUPERVISED
    case.second_factor = decision
    case.second_channel = channel.kind if channel else ""
    case.second_channel_masked = channel.masked if channel else ""
    if decision == SECOND_FACTOR_SUPERVISED:
        case.requires_supervised_proofing = True
    case.save(
        update_fields=[
            "second_factor",
            "second_channel",
            "second_channel_masked",
            "requires_supervised_proofing",
            "updated_at",
        ]
    )
    words = _decision_words(case, setting)
    case_log_event(case, actor, "second_factor", case.state, case.state, words)
    audit_record(
        actor=actor,
        action="staff.proofing.second_factor_decided",
        target=case,
        details={
            "decision": decision,
            "setting": setting,
            "channel": case.second_channel,
            "to": case.second_channel_masked,
        },
    )
    if channel is not None:
        _code_issue(case, channel, actor)


def _decision_words(case: OnboardingCase, setting: str) -> str:
    if case.second_factor == SECOND_FACTOR_CODE:
        return f"one-time code to {case.second_channel} {case.second_channel_masked}"
    if case.second_factor == SECOND_FACTOR_NONE:
        return "no second factor (the district's setting): record check only"
    if setting == SECOND_FACTOR_CODE and second_channel_changed(case):
        return (
            "personal e-mail or mobile changed in Campus since the case opened: "
            "HR-supervised confirmation required"
        )
    if setting == SECOND_FACTOR_CODE:
        return "no second channel in Campus: HR-supervised confirmation required"
    return "HR-supervised confirmation required (the district's setting)"


def _code_hash(case_id: int, code: str) -> str:
    return salted_hmac("staff.proofing.code", f"{case_id}:{code}", algorithm="sha256").hexdigest()


def _code_issue(case: OnboardingCase, channel: Channel, actor: str) -> None:
    """A new code for ``case`` (locked); an earlier one stops working. Sent on commit."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    case.code_hash = _code_hash(case.id, code)
    case.code_sent_at = now
    case.code_expires_at = now + timedelta(minutes=settings.STAFF_PROOFING_CODE_TTL_MINUTES)
    case.second_channel, case.second_channel_masked = channel.kind, channel.masked
    case.save(
        update_fields=[
            "code_hash",
            "code_sent_at",
            "code_expires_at",
            "second_channel",
            "second_channel_masked",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="staff.proofing.code_sent",
        target=case,
        details={"channel": channel.kind, "to": channel.masked},
    )
    member, case_id = case.staff_member, case.id
    transaction.on_commit(lambda: _code_deliver(case_id, member, channel, code))


def _code_deliver(case_id: int, member, channel: Channel, code: str) -> None:
    minutes = settings.STAFF_PROOFING_CODE_TTL_MINUTES
    context = {"member": member, "code": code, "minutes": minutes}
    context["district"] = settings.WEBAUTHN_RP_NAME
    if channel.kind == PERSONAL_EMAIL:
        body = render_to_string("staff/email/proofing_code.txt", context)
        message = EmailMessage("Your sign-in setup code", body, to=[channel.address])
        sent = mail_send(message, what="proofing code")
    else:
        sent = text_message_send(
            channel.address, f"{context['district']}: your sign-in setup code is {code}."
        )
    if not sent:
        from staff.services.cases import case_note

        case = OnboardingCase.objects.get(id=case_id)
        case_note(case=case, actor="system", note=f"{CODE_NOT_SENT_NOTE} ({channel.kind}).")


def proofing_code_resend(*, case: OnboardingCase) -> None:
    """The applicant asks for a new code (the limit per hour is the caller's: staff.limits)."""
    with transaction.atomic():
        case = case_lock(case.id)
        if not _code_step_open(case):
            raise OnboardingError("This step is not open.")
        channel = second_channel_for(case)
        if channel is None:
            raise OnboardingError("Campus has no second way to reach you now. Ask HR to help you.")
        _code_issue(case, channel, case.staff_member.display_name)


def _code_step_open(case: OnboardingCase) -> bool:
    return (
        case.state == State.PROOFING
        and case.record_checked_at is not None
        and case.second_factor == SECOND_FACTOR_CODE
        and case.code_checked_at is None
    )


def proofing_code_check(*, case: OnboardingCase, code: str) -> bool:
    """The applicant enters the code; True when right. Wrong entries lock the case after
    ``STAFF_PROOFING_CODE_MAX_ATTEMPTS``; an expired code is refused without counting."""
    with transaction.atomic():
        case = case_lock(case.id)
        if not _code_step_open(case):
            raise OnboardingError("This step is not open.")
        actor, now = case.staff_member.display_name, timezone.now()
        if not case.code_hash or case.code_expires_at <= now:
            raise OnboardingError("This code has expired. Send yourself a new one.")
        if secrets.compare_digest(case.code_hash, _code_hash(case.id, code.strip())):
            case.code_checked_at, case.code_hash = now, ""
            case.save(update_fields=["code_checked_at", "code_hash", "updated_at"])
            evidence = {"channel": case.second_channel, "to": case.second_channel_masked}
            reason = f"code from {case.second_channel} {case.second_channel_masked} confirmed"
            case_log_event(case, actor, "code_check", case.state, case.state, reason)
            audit_record(
                actor=actor, action="staff.proofing.code_passed", target=case, details=evidence
            )
            return True
        case.code_attempts += 1
        case.save(update_fields=["code_attempts", "updated_at"])
        audit_record(
            actor=actor,
            action="staff.proofing.code_failed",
            target=case,
            details={"attempt": case.code_attempts},
        )
        if case.code_attempts >= settings.STAFF_PROOFING_CODE_MAX_ATTEMPTS:
            case_transition(case, Event.LOCK, actor, "too many wrong proofing codes")
        return False


def second_factor_clear(case: OnboardingCase, *, attempts: bool) -> None:
    """Forget the decision and any code of ``case`` (the caller saves): proofing starts
    over. Wrong codes are forgotten only when ``attempts`` (an unlock, a re-proof)."""
    case.second_factor = case.second_channel = case.second_channel_masked = ""
    case.code_hash = case.desk_code_hash = ""
    case.code_sent_at = case.code_expires_at = case.code_checked_at = None
    if attempts:
        case.code_attempts = 0


def second_factor_ensure(*, case: OnboardingCase) -> OnboardingCase:
    """The case, with a decision: a record check that passed before there was one (the
    case was in proofing when this was installed) gets it now."""
    with transaction.atomic():
        case = case_lock(case.id)
        if case.state == State.PROOFING and case.record_checked_at and not case.second_factor:
            second_factor_decide(case, case.staff_member.display_name)
    return case


def code_miss_message(case: OnboardingCase) -> str:
    """What the applicant reads after a wrong code: how many tries are left."""
    left = max(settings.STAFF_PROOFING_CODE_MAX_ATTEMPTS - case.code_attempts, 0)
    plural = "try" if left == 1 else "tries"
    return f"That code is not right. {left} {plural} left before your onboarding is locked."
