"""Identity proofing steps that write: the applicant's record check and the HR
operator's supervised document check (see ``staff.proofing`` for the step list), and the
one way round them: the server's operator vouching for the person at set-up."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from idbridge.audit.services import audit_record
from staff.models import SECOND_FACTOR_NONE, OnboardingCase, StaffMember
from staff.proofing import PROOFING_WAIVED
from staff.services.cases import (
    OnboardingError,
    case_lock,
    case_log_event,
    case_transition,
    member_passkeys_disable,
)
from staff.services.second_factor import second_factor_decide
from staff.transitions import Event, State


def record_check_submit(*, case: OnboardingCase, birth_date: str, staff_number: str) -> bool:
    """The applicant confirms facts from their Campus record; locks after too many misses."""
    with transaction.atomic():
        case = case_lock(case.id)
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
            case_log_event(
                case, actor, "record_check", case.state, case.state, "record facts confirmed"
            )
            audit_record(actor=actor, action="staff.proofing.record_check_passed", target=case)
            # What insiders cannot read in Campus comes next: a code, or HR supervision.
            second_factor_decide(case, actor)
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
            case_transition(case, Event.LOCK, actor, "too many failed record checks")
        return False


def proofing_waive_for_operator(*, case: OnboardingCase, actor: str, reason: str) -> None:
    """Skip the applicant's record check and second step: the server's operator vouches
    for the person (``make demo``'s administrator, whose Campus record the set-up made up
    for whoever runs it, and whose link it prints on that person's terminal: facts the same
    command would print prove nothing when typed back). The link (opened once) and a
    passkey with user verification are still needed; the waiver is on the case's timeline
    and in the audit log with ``reason``. Only for a case waiting on its invitation."""
    with transaction.atomic():
        case = case_lock(case.id)
        if case.state not in (State.INVITED, State.PROOFING):
            raise OnboardingError(f"Proofing cannot be waived while the case is {case.state}.")
        case.record_checked_at = timezone.now()
        case.second_factor = SECOND_FACTOR_NONE
        case.second_channel = case.second_channel_masked = ""
        fields = ["record_checked_at", "second_factor", "second_channel", "second_channel_masked"]
        case.save(update_fields=[*fields, "updated_at"])
        case_log_event(case, actor, PROOFING_WAIVED, case.state, case.state, reason)
        audit_record(
            actor=actor,
            action="staff.proofing.waived",
            target=case,
            details={"reason": reason},
        )


# Set while a task fetching every requested record check's facts is queued (or starting).
RECORD_FACTS_QUEUED_KEY = "staff:record-facts-fetch-queued"
RECORD_FACTS_BATCH = 200  # staff per task run; the task sends itself again for the rest


def record_facts_request(*, member: StaffMember, prefetch: bool = False) -> bool:
    """Queue a task fetching the record check's facts from Campus, unless they are here or
    a task was queued less than ``STAFF_RECORD_FACTS_WAIT_SECONDS`` ago; True if queued.

    Claimed with a conditional UPDATE: parallel page loads queue one task. Nothing here
    waits on Campus (a web request calls it). ``prefetch`` (an invitation getting the
    facts ready before its link is opened) joins the one task that fetches every
    requested staff member's facts (``record_facts_requested``): a wave or a poll inviting
    thousands queues a few tasks, not one each ahead of every other job in the queue."""
    if member.has_record_facts:
        return False
    now = timezone.now()
    overdue = now - timedelta(seconds=settings.STAFF_RECORD_FACTS_WAIT_SECONDS)
    claimed = (
        StaffMember.objects.filter(id=member.id, record_facts_fetched_at__isnull=True)
        .filter(
            Q(record_facts_requested_at__isnull=True) | Q(record_facts_requested_at__lt=overdue)
        )
        .update(record_facts_requested_at=now)
    )
    if claimed:
        from staff.tasks import fetch_record_facts

        member.record_facts_requested_at = now
        if prefetch:
            transaction.on_commit(_record_facts_requested_queue)
        else:
            fetch_record_facts.delay_on_commit(member.id)
    return bool(claimed)


def _record_facts_requested_queue() -> None:
    """Queue the task fetching every requested staff member's facts, unless it is queued
    already (the key lapses after the applicant page's wait, which asks again)."""
    from staff.tasks import fetch_requested_record_facts

    if cache.add(RECORD_FACTS_QUEUED_KEY, True, timeout=settings.STAFF_RECORD_FACTS_WAIT_SECONDS):
        fetch_requested_record_facts.delay()


def record_facts_requested(*, after_id: int = 0, limit: int = RECORD_FACTS_BATCH) -> list[int]:
    """The staff members (after ``after_id``, in id order, at most ``limit``) whose facts
    were asked for since their invitations could still be opened and are not fetched.
    The first run of the fetching task frees the queued mark: an invitation from then on
    queues the task again, so nobody waits for a run that has passed them by."""
    if not after_id:
        cache.delete(RECORD_FACTS_QUEUED_KEY)
    since = timezone.now() - timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS)
    asked = StaffMember.objects.filter(
        id__gt=after_id, record_facts_fetched_at__isnull=True, record_facts_requested_at__gte=since
    )
    return list(asked.order_by("id").values_list("id", flat=True)[:limit])


def record_facts_fetch(*, member_id: int) -> None:
    """Fetch one staff member's birth date from Campus (OneRoster keeps it under
    demographics: read only for people who are invited). A task's body, never a web
    request's. Campus answering without a birth date counts as fetched: the record check
    then tells the applicant to ask HR."""
    from staff.connectors import connector_for

    member = StaffMember.objects.select_related("connection").get(id=member_id)
    if member.has_record_facts:
        return
    connector = connector_for(member.connection)
    if hasattr(connector, "birth_date"):
        birth = connector.birth_date(member.campus_key)
    else:
        person = connector.get_person(member.campus_key)
        birth = person.birth_date if person else None
    member.birth_date = birth.isoformat() if birth else ""
    member.record_facts_fetched_at = timezone.now()
    member.save(update_fields=["birth_date", "record_facts_fetched_at"])


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


# Letters and digits nobody misreads across a desk (no 0/O, 1/I/L).
DESK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _desk_hash(case_id: int, code: str) -> str:
    code = "".join(c for c in code.upper() if c.isalnum())
    return salted_hmac("staff.proofing.desk", f"{case_id}:{code}", algorithm="sha256").hexdigest()


def desk_code_issue(*, case: OnboardingCase) -> str:
    """A code for the applicant's browser to show HR at the supervised check, e.g.
    ``K7P4-QX9M``; it replaces the last. HR's approval must carry it, which binds the
    person HR met to the browser that bound the passkey: someone who enrolled their own
    passkey in another's name cannot have the real person approved for them."""
    with transaction.atomic():
        case = case_lock(case.id)
        if not case.requires_supervised_proofing or case.supervised_checked_at:
            raise OnboardingError("This case does not need a supervised check.")
        code = "".join(secrets.choice(DESK_ALPHABET) for _ in range(8))
        case.desk_code_hash = _desk_hash(case.id, code)
        case.save(update_fields=["desk_code_hash", "updated_at"])
    return f"{code[:4]}-{code[4:]}"


def _desk_code_check(case: OnboardingCase, desk_code: str) -> None:
    if not (
        case.desk_code_hash
        and secrets.compare_digest(case.desk_code_hash, _desk_hash(case.id, desk_code))
    ):
        raise OnboardingError(
            "The code does not match the one on the person's setup page. Ask them to "
            "open it (after adding their passkey) and read you the code."
        )


def supervised_check_record(
    *,
    case: OnboardingCase,
    actor,
    approved: bool,
    document: str,
    note: str = "",
    desk_code: str = "",
) -> OnboardingCase:
    """An HR operator (trusted referee) records the inspection of an identity document;
    an approval carries the code the person's own setup page shows (``desk_code_issue``)."""
    with transaction.atomic():
        case = case_lock(case.id)
        if not case.requires_supervised_proofing:
            raise OnboardingError("This case does not need a supervised check.")
        if case.state not in (State.PROOFING, State.ENROLLED):
            raise OnboardingError(f"A supervised check cannot be recorded while {case.state}.")
        details = {"document": document[:100], "note": note[:300], "approved": approved}
        if not approved:
            member_passkeys_disable(case.staff_member, "supervised check rejected")
            case_transition(case, Event.REJECT, actor, f"document check failed: {document}")
            audit_record(
                actor=actor,
                action="staff.proofing.supervised_rejected",
                target=case,
                details=details,
            )
            return case
        _desk_code_check(case, desk_code)
        case.supervised_checked_at, case.supervised_checked_by = timezone.now(), actor
        case.desk_code_hash = ""
        fields = ["supervised_checked_at", "supervised_checked_by", "desk_code_hash"]
        case.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor, action="staff.proofing.supervised_approved", target=case, details=details
        )
        if case.state == State.ENROLLED:
            case_transition(case, Event.COMPLETE, actor, "supervised check approved")
    return case
