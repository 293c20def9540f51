"""What Campus reports about staff: new staff get a case (and an invitation once the
transaction commits), changed records are updated, leavers lose their access.

A connection's first poll is its baseline: the staff it finds already work in the district,
so their cases open as ``existing`` and nobody is invited (HR invites them when the
district is ready, ``staff.services.existing``). The poll decides (``baseline=True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusPerson
from staff.models import CampusConnection, CaseEvent, OnboardingCase, StaffMember
from staff.services.cases import case_revoke_locked
from staff.transitions import State, first_state

MEMBER_FIELDS = [
    "campus_person_id",
    "staff_number",
    "first_name",
    "last_name",
    "middle_name",
    "work_email",
    "personal_email",
    "mobile",
    "roles",
    "schools",
    "is_staff_in_campus",
    "campus_modified_at",
    "last_seen_at",
]
INVITATION_TASK_CHUNK = 100
BASELINE_REASON = "already staff in Campus when the connection took its baseline"


@dataclass
class _Batch:
    """One poll's persons, sorted by what recording them takes."""

    new_members: list[StaffMember] = field(default_factory=list)
    changed: list[StaffMember] = field(default_factory=list)
    needing_case: list[StaffMember] = field(default_factory=list)
    leavers: list[OnboardingCase] = field(default_factory=list)


def staff_records_from_campus(
    *,
    connection: CampusConnection,
    persons: list[CampusPerson],
    actor="campus:poller",
    baseline: bool = False,
) -> dict:
    """Record what Campus reported about ``persons``: upsert staff, open a case for each new
    staff member (its invitation is queued once the transaction commits), revoke leavers.

    With ``baseline`` (the connection's first poll) a new staff member's case opens as
    ``existing`` and nothing is sent; the poll audits the baseline once, when it is done.
    Idempotent: keyed on (connection, Campus person), so a re-poll never makes a second
    case or a second invitation. A batch costs a handful of queries whatever its size;
    the audit log gets one entry per batch naming every case opened.
    """
    now = timezone.now()
    with transaction.atomic():
        batch = _batch_sort(connection, {p.key: p for p in persons}, now)
        StaffMember.objects.bulk_create(batch.new_members)
        StaffMember.objects.bulk_update(
            batch.changed, [*MEMBER_FIELDS, "birth_date", "second_channel_changed_at"]
        )
        members = [*batch.new_members, *batch.needing_case]
        cases = _cases_open(connection, members, actor, baseline=baseline)
        for case in batch.leavers:
            case_revoke_locked(case, actor, "no longer staff in Campus")
    return {
        "new_cases": 0 if baseline else len(cases),
        "existing": len(cases) if baseline else 0,
        "updated": len(batch.changed),
        "revoked": len(batch.leavers),
    }


def _member_values(person: CampusPerson, now) -> dict:
    return {
        "campus_person_id": person.person_id,
        "staff_number": person.staff_number,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "middle_name": person.middle_name,
        "work_email": person.work_email,
        "personal_email": person.personal_email,
        "mobile": person.mobile,
        "roles": list(person.roles),
        "schools": sorted({a.school_number for a in person.assignments if a.school_number}),
        "is_staff_in_campus": person.is_staff and person.is_active,
        "campus_modified_at": person.date_modified,
        "last_seen_at": now,
    }


def _case_of(member: StaffMember) -> OnboardingCase | None:
    return getattr(member, "case", None) if hasattr(member, "case") else None


def _batch_sort(connection: CampusConnection, by_key: dict[str, CampusPerson], now) -> _Batch:
    """Lock the known members among ``by_key``, apply Campus's values, sort them out."""
    existing = {
        m.campus_key: m
        for m in StaffMember.objects.select_for_update(of=("self",))
        .filter(connection=connection, campus_key__in=list(by_key))
        .select_related("case")
    }
    batch = _Batch()
    for key, person in by_key.items():
        staff_now = person.is_staff and person.is_active
        member = existing.get(key)
        if member is None:
            if staff_now:  # not staff and never was: nothing to record
                member = StaffMember(
                    connection=connection, campus_key=key, **_member_values(person, now)
                )
                member.birth_date = person.birth_date.isoformat() if person.birth_date else ""
                batch.new_members.append(member)
            continue
        channels = (member.personal_email, member.mobile)
        for name, value in _member_values(person, now).items():
            setattr(member, name, value)
        if (member.personal_email, member.mobile) != channels:
            member.second_channel_changed_at = now
        if person.birth_date:  # OneRoster brings it only on demand: keep what we have
            member.birth_date = person.birth_date.isoformat()
        batch.changed.append(member)
        case = _case_of(member)
        if staff_now and case is None:
            batch.needing_case.append(member)
        elif not staff_now and case is not None and case.state != State.REVOKED:
            batch.leavers.append(case)
    return batch


def _cases_open(connection: CampusConnection, members: list[StaffMember], actor, *, baseline):
    """A case for each of ``members``, with its timeline's first line. A baseline's cases
    are existing staff: nothing is sent. Otherwise one audit entry and the invitations."""
    state = first_state(baseline=baseline)
    cases = OnboardingCase.objects.bulk_create(
        [
            OnboardingCase(
                staff_member=member,
                state=state,
                from_baseline=baseline,
                requires_supervised_proofing=settings.STAFF_REQUIRE_SUPERVISED_PROOFING,
            )
            for member in members
        ]
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                actor_label=actor,
                event="baseline" if baseline else "discover",
                from_state="",
                to_state=state,
                reason=BASELINE_REASON if baseline else "new staff member in Campus",
            )
            for case in cases
        ]
    )
    if cases and not baseline:
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
        _invitations_enqueue([c.id for c in cases])
    return cases


def _invitations_enqueue(case_ids: list[int]) -> None:
    """Queue the first invitations, in chunks, once the caller's transaction commits."""
    from staff.tasks import send_first_invitations

    for i in range(0, len(case_ids), INVITATION_TASK_CHUNK):
        send_first_invitations.delay_on_commit(case_ids[i : i + INVITATION_TASK_CHUNK])


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
            case = _case_of(member)
            if case is not None and case.state != State.REVOKED:
                case_revoke_locked(case, actor, "not found in Campus by a full reconciliation")
                revoked += 1
    return revoked
