"""What Campus reports about staff: new staff get a case (and an invitation once the
transaction commits), changed records are updated, leavers lose their access.

A connection's first poll is its baseline: the staff it finds already work in the district,
so their cases open as ``existing`` and nobody is invited (HR invites them when the
district is ready, ``staff.services.existing``). The poll decides (``baseline=True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusPerson
from idbridge.search import search_words_write
from staff.identity import is_same_person, staff_number_key, staff_number_spellings
from staff.models import (
    CampusConnection,
    CaseEvent,
    OnboardingCase,
    StaffMember,
    StaffSearchWord,
    StaffSource,
)
from staff.services.cases import case_revoke_locked
from staff.services.merge import staff_members_merge
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
# Written by the record's primary connection only, with MEMBER_FIELDS.
PRIMARY_FIELDS = ["birth_date", "connection", "campus_key"]
INVITATION_TASK_CHUNK = 100
# Two connections recording one new person at once: the loser reads again and adopts.
RACE_ATTEMPTS = 3
BASELINE_REASON = "already staff in Campus when the connection took its baseline"


@dataclass
class _Batch:
    """One poll's persons, sorted by what recording them takes."""

    new_members: list[StaffMember] = field(default_factory=list)
    changed: list[StaffMember] = field(default_factory=list)
    needing_case: list[StaffMember] = field(default_factory=list)
    leavers: list[OnboardingCase] = field(default_factory=list)
    # What this connection says of each person it reported: key -> (member, staff now).
    seen: dict[str, tuple[StaffMember, bool]] = field(default_factory=dict)
    adopted: int = 0  # persons another connection had recorded, seen here for the first time


@dataclass
class _Found:
    """The staff records (locked) of one batch's persons, and which this connection sees."""

    members: dict[str, StaffMember | None]  # by key; a key left out is skipped
    here: dict[int, StaffSource]  # this connection's sources of these members, by member id


def staff_records_from_campus(
    *,
    connection: CampusConnection,
    persons: list[CampusPerson],
    actor="campus:poller",
    baseline: bool = False,
) -> dict:
    """Record what Campus reported about ``persons``: upsert staff, open a case for each new
    staff member (its invitation is queued once the transaction commits), revoke leavers,
    and keep the names Campus gives their schools.

    One staff record and one case per Campus person, whatever the number of connections:
    a person is found by this connection's key for them, else by their Campus person ID
    (else their staff number: ``staff.identity``), so a person another connection recorded
    already is adopted (this connection is noted as seeing them), never recorded again.

    With ``baseline`` (the connection's first poll) a new staff member's case opens as
    ``existing`` and nothing is sent; the poll audits the baseline once, when it is done.
    Idempotent, so a re-poll never makes a second case or a second invitation. A batch
    costs a handful of queries whatever its size; the audit log gets one entry per batch
    naming every case opened.
    """
    now = timezone.now()
    by_key = {p.key: p for p in persons}
    for attempt in range(RACE_ATTEMPTS):
        try:
            with transaction.atomic():
                counts = _record(connection, by_key, actor, baseline, now)
            _school_names_record(connection, persons)
            return counts
        except IntegrityError:
            # Another connection recorded one of these persons meanwhile: read again, adopt.
            if attempt == RACE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _record(connection, by_key: dict[str, CampusPerson], actor, baseline: bool, now) -> dict:
    found = _members_find(connection, by_key, actor)
    batch = _batch_sort(connection, by_key, found, now)
    for member in [*batch.new_members, *batch.changed]:
        member.search_text_refresh()  # bulk writes do not call save()
    StaffMember.objects.bulk_create(batch.new_members)
    StaffMember.objects.bulk_update(
        batch.changed, [*MEMBER_FIELDS, *PRIMARY_FIELDS, "second_channel_changed_at", "search_text"]
    )
    search_words_write(StaffSearchWord, "staff_member_id", batch.new_members, new=True)
    search_words_write(StaffSearchWord, "staff_member_id", batch.changed)
    _sources_record(connection, batch.seen, found.here, now)
    members = [*batch.new_members, *batch.needing_case]
    cases = _cases_open(connection, members, actor, baseline=baseline)
    for case in batch.leavers:
        case_revoke_locked(case, actor, "no longer staff in Campus")
    return {
        "new_cases": 0 if baseline else len(cases),
        "existing": len(cases) if baseline else 0,
        "updated": len(batch.changed),
        "adopted": batch.adopted,
        "revoked": len(batch.leavers),
    }


def _school_names_record(connection: CampusConnection, persons) -> None:
    """Keep the names Campus gave these persons' schools (``staff.campus_names``):
    written only when one is new or renamed, so most batches write nothing."""
    seen = {
        a.school_number: a.school_name
        for person in persons
        for a in person.assignments
        if a.school_number and a.school_name
    }
    known = connection.school_names or {}
    if all(known.get(key) == name for key, name in seen.items()):
        return
    connection.school_names = {**known, **seen}
    CampusConnection.objects.filter(id=connection.id).update(school_names=connection.school_names)


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


def _members_find(connection, by_key: dict[str, CampusPerson], actor) -> _Found:
    """Lock the staff records of ``by_key``'s persons: by this connection's key, else by
    person ID or staff number. A record with no person ID that turns out to be another
    record's person (a connection learnt the ID late, or two connections recorded a new
    person at once by staff number) is merged with it first."""
    keyed = StaffSource.objects.filter(connection=connection, campus_key__in=list(by_key))
    person_ids = {p.person_id for p in by_key.values() if p.person_id is not None}
    numbers = staff_number_spellings(p.staff_number for p in by_key.values())
    candidates = _Candidates(
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("case", "connection")
        .filter(
            Q(id__in=keyed.values("staff_member_id"))
            | Q(campus_person_id__in=person_ids)
            | Q(staff_number__in=numbers)
        )
    )
    here = {
        s.staff_member_id: s
        for s in StaffSource.objects.filter(
            connection=connection, staff_member_id__in=candidates.members
        )
    }
    sourced = {s.campus_key: s.staff_member_id for s in here.values() if s.campus_key in by_key}
    for key, member_id in sourced.items():
        if candidates.members[member_id].campus_person_id is None:
            other = candidates.person_of(by_key[key], here, other_than=member_id)
            if other is not None:
                staff_members_merge(member_ids=[member_id, other.id], actor=actor)
                return _members_find(connection, by_key, actor)  # rare: read it all again
    found: dict[str, StaffMember | None] = {}
    taken: set[int] = set()  # two users for one person: the first one counts
    for key, person in by_key.items():
        member = (
            candidates.members[sourced[key]]
            if key in sourced
            else candidates.person_of(person, here)
        )
        if member is None or member.id not in taken:
            found[key] = member
            taken.add(member.id if member else 0)
    return _Found(found, here)


class _Candidates:
    """The staff records a batch's persons may be, by person ID and by staff number."""

    def __init__(self, members):
        self.members = {m.id: m for m in members}
        self.by_id = {m.campus_person_id: m for m in self.members.values() if m.campus_person_id}
        self.by_number: dict[str, list[StaffMember]] = {}
        for member in self.members.values():
            self.by_number.setdefault(staff_number_key(member.staff_number), []).append(member)

    def person_of(self, person: CampusPerson, here, *, other_than=None) -> StaffMember | None:
        """The record ``person`` names: the one with their person ID, else the only one
        with their staff number that ``here`` (this connection's records) does not hold."""
        member = self.by_id.get(person.person_id)
        if member is not None:
            return member if member.id != other_than else None
        options = [
            m
            for m in self.by_number.get(staff_number_key(person.staff_number), [])
            if m.id not in here
            and m.id != other_than
            and is_same_person(
                person.person_id, person.staff_number, m.campus_person_id, m.staff_number
            )
        ]
        return options[0] if len(options) == 1 else None


def _batch_sort(connection: CampusConnection, by_key, found: _Found, now) -> _Batch:
    """Apply Campus's values to the found records (all of them from the record's primary
    connection, the gaps only from another one) and sort them out."""
    batch = _Batch()
    for key, member in found.members.items():
        person = by_key[key]
        staff_now = person.is_staff and person.is_active
        if member is None:
            if staff_now:  # not staff and never was: nothing to record
                member = StaffMember(
                    connection=connection, campus_key=key, **_member_values(person, now)
                )
                member.birth_date = person.birth_date.isoformat() if person.birth_date else ""
                batch.new_members.append(member)
                batch.seen[key] = (member, True)
            continue
        batch.adopted += member.id not in found.here
        channels = (member.personal_email, member.mobile)
        if member.connection_id == connection.id or not member.connection.enabled:
            _member_update(member, person, now)
            member.connection, member.campus_key = connection, key
        else:
            _member_fill(member, person, now)
        if (member.personal_email, member.mobile) != channels:
            member.second_channel_changed_at = now
        batch.changed.append(member)
        batch.seen[key] = (member, staff_now)
        case = _case_of(member)
        if staff_now and case is None:
            batch.needing_case.append(member)
        elif not staff_now and case is not None and case.state != State.REVOKED:
            batch.leavers.append(case)
    return batch


def _member_update(member: StaffMember, person: CampusPerson, now) -> None:
    """Everything the primary connection reports (a person ID, once known, stays)."""
    known_id = member.campus_person_id
    for name, value in _member_values(person, now).items():
        setattr(member, name, value)
    member.campus_person_id = known_id or person.person_id
    if person.birth_date:  # OneRoster brings it only on demand: keep what we have
        member.birth_date = person.birth_date.isoformat()


def _member_fill(member: StaffMember, person: CampusPerson, now) -> None:
    """Another connection's report: whether the person is staff, and what is missing."""
    values = _member_values(person, now)
    for name in ("campus_person_id", "staff_number", "work_email", "personal_email", "mobile"):
        if not getattr(member, name):
            setattr(member, name, values[name])
    member.is_staff_in_campus = values["is_staff_in_campus"]
    member.last_seen_at = now
    if person.birth_date and not member.birth_date.reveal():
        member.birth_date = person.birth_date.isoformat()


def _sources_record(connection, seen: dict[str, tuple[StaffMember, bool]], known, now) -> None:
    """Note what this connection said of each person: its key for them, staff or not
    (``known``: its sources of them so far, by member id)."""
    new, changed = [], []
    for key, (member, is_staff) in seen.items():
        source = known.get(member.id)
        if source is None:
            new.append(
                StaffSource(
                    connection=connection,
                    staff_member=member,
                    campus_key=key,
                    is_staff=is_staff,
                    last_seen_at=now,
                )
            )
            continue
        source.campus_key, source.is_staff, source.last_seen_at = key, is_staff, now
        changed.append(source)
    StaffSource.objects.bulk_update(changed, ["campus_key", "is_staff", "last_seen_at"])
    StaffSource.objects.bulk_create(new)


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
    """Staff a full reconciliation of ``connection`` no longer finds in Campus: gone from
    its view. A person another enabled connection still reports as staff keeps their
    access (that connection becomes their primary); the others lose it."""
    revoked = 0
    with transaction.atomic():
        sources = StaffSource.objects.filter(connection=connection, campus_key__in=keys)
        member_ids = list(sources.values_list("staff_member_id", flat=True))
        sources.update(is_staff=False)
        elsewhere = {
            s.staff_member_id: s
            for s in StaffSource.objects.filter(
                staff_member_id__in=member_ids, is_staff=True, connection__enabled=True
            ).exclude(connection=connection)
        }
        members = StaffMember.objects.select_for_update(of=("self",)).filter(id__in=member_ids)
        for member in members.select_related("case"):
            other = elsewhere.get(member.id)
            if other is not None:
                if member.connection_id == connection.id:
                    member.connection_id, member.campus_key = other.connection_id, other.campus_key
                    member.save(update_fields=["connection", "campus_key"])
                continue
            member.is_staff_in_campus = False
            member.save(update_fields=["is_staff_in_campus"])
            case = _case_of(member)
            if case is not None and case.state != State.REVOKED:
                case_revoke_locked(case, actor, "not found in Campus by a full reconciliation")
                revoked += 1
    return revoked
