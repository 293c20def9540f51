"""Day-to-day BOI operations: staff search, create, update, add and update positions.

Each call validates with the rules (``boi.rules``), refuses with every problem at once
(``BoiError``), and otherwise writes through the same ``Writer`` the sync commit uses, in
one transaction with its audit entry and HR-Staff notification.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from boi.rules.positions import PositionPlan, plan_positions, position_from_payload
from boi.rules.staff import mask_ssn, text, validate_positions
from boi.rules.sync import ReportEntry, report_entry
from idbridge.audit.services import audit_record
from sandbox.boi.addresses import AddressIndex, address_to_api
from sandbox.boi.apply import HOUSEHOLD_IGNORED, Applied, Writer
from sandbox.boi.context import (
    CampusPerson,
    Lookups,
    campus_people_load,
    iso,
    lookups_load,
)
from sandbox.boi.errors import BoiError, error
from sandbox.boi.notifications import notify
from sandbox.boi.preferences import preferences_get
from sandbox.models import Address, BoiNotification


def address_payloads(payload: Mapping[str, object]) -> list[object]:
    household = payload.get("household")
    if not isinstance(household, Mapping):
        return []
    locations = household.get("householdLocations")
    if not isinstance(locations, list):
        return []
    return [
        location["address"]
        for location in locations
        if isinstance(location, Mapping) and location.get("address") is not None
    ]


# --- reading ----------------------------------------------------------------------------


def _positions_to_api(held: CampusPerson, lookups: Lookups) -> list[dict]:
    return [
        {
            "positionID": a.pk,
            "schoolNumber": lookups.school_numbers.get(a.school_id, ""),
            "assignmentCode": lookups.assignment_codes.get(a.assignment_code_id),
            "titleCode": lookups.title_codes.get(a.title_code_id),
            "startDate": iso(a.start_date),
            "endDate": iso(a.end_date),
            "linkedToOtherActivity": a.is_linked_to_other_activity,
        }
        for a in held.assignments
    ]


def _household_to_api(held: CampusPerson, addresses: dict[int, Address]) -> dict | None:
    if held.household is None:
        return None
    return {
        "householdID": held.household.pk,
        "name": held.household.name,
        "staffHousehold": held.household.is_staff_household,
        "memberCount": held.member_count,
        "householdLocations": [
            {
                "mailing": loc.is_mailing,
                "secondary": loc.is_secondary,
                "private": loc.is_private,
                "startDate": iso(loc.start_date),
                "address": address_to_api(addresses[loc.address_id])
                if loc.address_id in addresses
                else None,
            }
            for loc in held.locations
        ],
    }


def staff_to_api(held: CampusPerson, lookups: Lookups, addresses: dict[int, Address]) -> dict:
    """A staff member in the BOI schema (SSN masked), with personID and position ids."""
    person, identity = held.person, held.identity
    return {
        "personID": person.pk,
        "staffNumber": person.staff_number,
        "lastName": identity.last_name if identity else "",
        "firstName": identity.first_name if identity else "",
        "middleName": identity.middle_name if identity else "",
        "gender": lookups.gender_codes.get(person.gender_id, ""),
        "ssn": mask_ssn(person.ssn.reveal()) if person.ssn else "",
        "birthDate": iso(person.birth_date),
        "workPhone": person.work_phone,
        "cellPhone": person.cell_phone,
        "otherPhone": person.other_phone,
        "workEmail": person.work_email,
        "personalEmail": person.personal_email,
        "hrSynced": person.hr_synced_at is not None,
        "employments": [
            {"hireDate": iso(e.hire_date), "terminationDate": iso(e.termination_date)}
            for e in held.employments
        ],
        "positions": _positions_to_api(held, lookups),
        "household": _household_to_api(held, addresses),
    }


def staff_records(people: dict[int, CampusPerson], lookups: Lookups | None = None) -> list[dict]:
    lookups = lookups or lookups_load()
    address_ids = {loc.address_id for held in people.values() for loc in held.locations}
    addresses = Address.objects.in_bulk(sorted(address_ids))
    return [staff_to_api(people[pk], lookups, addresses) for pk in sorted(people)]


# --- writing ----------------------------------------------------------------------------


def _one_person(staff_number: str, today: date) -> CampusPerson:
    people = campus_people_load(staff_numbers=[staff_number], today=today)
    if not people:
        raise error(
            404,
            "staffNumber",
            "not_found",
            f"no person in Campus has staff number '{staff_number}' (create them with POST staff)",
        )
    if len(people) > 1:
        raise error(
            409,
            "staffNumber",
            "duplicate",
            f"staff number '{staff_number}' belongs to {len(people)} people in Campus: "
            "run Check Campus Data and fix the Local Staff Numbers",
        )
    return next(iter(people.values()))


def _object(payload: object, what: str = "the staff member") -> Mapping[str, object]:
    if not isinstance(payload, Mapping):
        raise error(400, "", "invalid", f"{what} must be a JSON object")
    return payload


def _write(entry: ReportEntry, payload, campus: CampusPerson | None, lookups, index) -> Applied:
    now = timezone.now()
    writer = Writer(lookups=lookups, addresses=index, now=now, today=timezone.localdate(now))
    applied = writer.stage(entry, payload, campus)
    writer.flush()
    return applied


def _result(applied: Applied, lookups: Lookups, today: date, **extra) -> dict:
    people = campus_people_load(person_ids=[applied.person.pk], today=today)
    notes = list(applied.notes)
    if applied.household_ignored and not any(HOUSEHOLD_IGNORED in n for n in notes):
        notes.append(HOUSEHOLD_IGNORED)
    body = {
        "action": applied.action,
        "staff": staff_records(people, lookups)[0],
        "householdIgnored": applied.household_ignored,
        "keptLinkedPositions": applied.kept_linked_positions,
        "addressesCreated": applied.addresses_created,
        "notes": notes,
    }
    body.update(extra)
    return body


def _describe(person_payload: Mapping[str, object]) -> str:
    return f"{text(person_payload.get('lastName'))}, {text(person_payload.get('firstName'))}"


def _entry(
    payload: Mapping[str, object], campus: CampusPerson | None, lookups: Lookups
) -> tuple[ReportEntry, AddressIndex]:
    """What the rules make of ``payload`` against Campus's record of the person (None: a new
    staff member), with the addresses it was matched against; BoiError (400) listing every
    problem."""
    household_allowed = preferences_get().allow_household_updates
    index = AddressIndex().load(address_payloads(payload) if household_allowed else [])
    entry = report_entry(
        campus.as_campus_staff(lookups) if campus is not None else None,
        payload,
        lookups.mappings,
        household_allowed=household_allowed,
        find_address_by_components=index.find_by_components,
        find_address_by_key=index.find_by_key,
    )
    if entry.action == "error":
        raise BoiError(400, entry.errors)
    return entry, index


def _refuse_known_number(staff_number: str, today: date) -> None:
    existing = campus_people_load(staff_numbers=[staff_number], today=today)
    if existing:
        ids = ", ".join(str(pk) for pk in sorted(existing))
        raise error(
            409,
            "staffNumber",
            "duplicate",
            f"staff number '{staff_number}' is already in Campus (personID {ids}): "
            f"update it with PUT staff/{staff_number}",
        )


def staff_create(*, payload: object, actor: str) -> dict:
    """``POST staff``. A staff number Campus already has is refused (409): update it."""
    payload = _object(payload)
    today = timezone.localdate()
    lookups = lookups_load()
    staff_number = text(payload.get("staffNumber"))
    if staff_number:
        _refuse_known_number(staff_number, today)
    entry, index = _entry(payload, None, lookups)
    with transaction.atomic():
        applied = _write(entry, payload, None, lookups, index)
        audit_record(
            actor=actor,
            action="campus.boi_staff_created",
            target=applied.person,
            details={"staff_number": staff_number},
        )
        notify(
            kind=BoiNotification.Kind.HR_STAFF,
            subject=f"HR created staff member {staff_number} ({_describe(payload)})",
            body=f"personID {applied.person.pk}",
        )
    return _result(applied, lookups, today)


def _update_payload(staff_number: str, payload: object) -> dict:
    """The body of a staff update, with the path's staff number (a different one is refused)."""
    payload = dict(_object(payload))
    sent_number = payload.get("staffNumber")
    if sent_number is not None and text(sent_number) != staff_number:
        raise error(
            400,
            "staffNumber",
            "conflict",
            f"the body's staffNumber '{text(sent_number)}' is not the one in the path "
            f"('{staff_number}'): a staff number cannot be changed through the API",
        )
    payload["staffNumber"] = staff_number
    return payload


def _update_recorded(
    staff_number: str, entry: ReportEntry, applied: Applied, payload: Mapping, actor: str
) -> None:
    """The audit entry and HR-Staff notification of a staff update."""
    audit_record(
        actor=actor,
        action="campus.boi_staff_updated",
        target=applied.person,
        details={
            "staff_number": staff_number,
            "fields": [c.field for c in entry.demographic_changes],
            "new_identity": entry.new_identity,
            "household": entry.household.action if entry.household else "none",
        },
    )
    notify(
        kind=BoiNotification.Kind.HR_STAFF,
        subject=f"HR updated staff member {staff_number} ({_describe(payload)})",
        body=_change_summary(entry),
    )


def _changes_to_api(entry: ReportEntry) -> dict:
    return {
        "demographics": [
            {"field": c.field, "old": c.old, "new": c.new, "newIdentity": c.new_identity}
            for c in entry.demographic_changes
        ],
        "newIdentity": entry.new_identity,
        "districtAssignments": plan_to_api(entry.assignment_changes),
    }


def staff_update(*, staff_number: str, payload: object, actor: str) -> dict:
    """``PUT staff/{staffNumber}``: names → a new identity, the rest in place, positions (if
    sent) as the complete set, the household only if it is this person's alone."""
    payload = _update_payload(staff_number, payload)
    today = timezone.localdate()
    lookups = lookups_load()
    campus = _one_person(staff_number, today)
    entry, index = _entry(payload, campus, lookups)
    with transaction.atomic():
        applied = _write(entry, payload, campus, lookups, index)
        _update_recorded(staff_number, entry, applied, payload, actor)
    return _result(applied, lookups, today, changes=_changes_to_api(entry))


def _change_summary(entry: ReportEntry) -> str:
    parts = []
    if entry.demographic_changes:
        parts.append("demographics: " + ", ".join(c.field for c in entry.demographic_changes))
    plan = entry.assignment_changes
    if plan.changes_anything:
        parts.append(
            f"district assignments: {len(plan.updates)} updated, {len(plan.creates)} added, "
            f"{len(plan.removals)} removed"
        )
    if entry.employment_changes.changes_anything:
        parts.append("district employment changed")
    return "; ".join(parts) or "no changes"


def plan_to_api(plan: PositionPlan) -> dict:
    return {
        "updated": [
            {"positionID": u.position_id, "field": u.field, "old": u.old, "new": u.new}
            for u in plan.updates
        ],
        "added": [
            {
                "schoolNumber": p.school_number,
                "assignmentCode": p.assignment_code,
                "titleCode": p.title_code,
                "startDate": p.start_date,
                "endDate": p.end_date,
            }
            for p in plan.creates
        ],
        "removed": list(plan.removals),
        "keptLinked": list(plan.kept_linked),
    }


def _positions_payload(body: object) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and "positions" in body:
        positions = body["positions"]
        if set(body) - {"positions"}:
            extra = ", ".join(sorted(set(body) - {"positions"}))
            raise error(400, extra, "unknown_field", f"'{extra}' is not a known field")
        if not isinstance(positions, list):
            raise error(400, "positions", "invalid", "positions must be a list")
        return positions
    if isinstance(body, Mapping):
        return [body]  # one position object
    raise error(400, "", "invalid", 'send a position object or {"positions": [...]}')


def positions_change(*, staff_number: str, body: object, actor: str, update: bool) -> dict:
    """``POST staff/{n}/positions`` adds every position sent (two identical positions are not
    refused); ``PUT`` updates by the matching rules: school + title and/or assignment code +
    start date → end date; + end date → start date; every match is updated; no match →
    added; nothing is removed."""
    positions = _positions_payload(body)
    if not positions:
        raise error(400, "positions", "required", "send at least one position")
    today = timezone.localdate()
    lookups = lookups_load()
    errors, titles = validate_positions(positions, lookups.mappings)
    if errors:
        raise BoiError(400, errors)
    campus = _one_person(staff_number, today)
    incoming = [position_from_payload(p) for p in positions]
    if update:
        plan = plan_positions(campus.existing_positions(lookups), incoming, complete_set=False)
    else:
        plan = PositionPlan(creates=tuple(incoming))
    entry = ReportEntry(
        staff_number,
        "update",
        person_id=campus.person.pk,
        assignment_changes=plan,
        titles_to_create=tuple(titles),
    )
    with transaction.atomic():
        applied = _write(entry, {"staffNumber": staff_number}, campus, lookups, AddressIndex())
        audit_record(
            actor=actor,
            action="campus.boi_positions_updated" if update else "campus.boi_positions_added",
            target=applied.person,
            details={
                "staff_number": staff_number,
                "updated": len(plan.updates),
                "added": len(plan.creates),
            },
        )
        notify(
            kind=BoiNotification.Kind.HR_STAFF,
            subject=f"HR {'updated' if update else 'added'} district assignments of staff "
            f"member {staff_number}",
            body=_change_summary(entry),
        )
    return _result(applied, lookups, today, districtAssignments=plan_to_api(plan))
