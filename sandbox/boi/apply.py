"""Carrying out what the BOI rules decided, for a batch of staff at once.

``boi.rules.sync.report_entry`` turns an HR payload and Campus's view of the person into a
``ReportEntry``: the demographic changes, whether a new identity starts, the employment
and position plans (with the ids of the Campus rows they touch), the titles to create and
the household decision. ``Writer.stage`` turns one entry into unsaved rows and field
changes; ``Writer.flush`` writes the whole batch with one bulk statement per table and
kind (titles, addresses, persons, identities, employments, positions, households), in an
order that satisfies the foreign keys and the one-current-identity constraint. Callers run
``flush`` inside their transaction.

Values always come from the payload, never from the entry: the entry's SSN values are
masked for reports.

Like Campus, a write happens only when a value changes: a staff member sent again as Campus
already has them is not written at all, and ``Person.date_modified`` (OneRoster's
``dateLastModified``) moves only when something of theirs changed (a demographic, a name,
an employment, a position, their household or its addresses).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from boi.rules.staff import NAME_FIELDS, text
from boi.rules.sync import ReportEntry
from idbridge.db import rows_update
from sandbox.boi.addresses import AddressIndex, address_from_rules
from sandbox.boi.context import CampusPerson, Lookups
from sandbox.models import (
    Address,
    DistrictAssignment,
    Employment,
    Household,
    HouseholdLocation,
    HouseholdMember,
    Identity,
    Person,
    TitleCode,
)

# Payload name → Person field, for the demographics updated in place.
PERSON_FIELDS = {
    "gender": "gender_id",
    "ssn": "ssn",
    "birthDate": "birth_date",
    "workPhone": "work_phone",
    "cellPhone": "cell_phone",
    "otherPhone": "other_phone",
    "workEmail": "work_email",
    "personalEmail": "personal_email",
}
HOUSEHOLD_IGNORED = "household data was ignored"


def as_date(value: object) -> date | None:
    value = text(value)
    return date.fromisoformat(value) if value else None


def normalize_ssn(value: object) -> str:
    digits = re.sub(r"\D", "", text(value))
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 9 else ""


def _plain(value: object) -> object:
    """A value as compared: an encrypted field's plain text."""
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else value


def _names(identity: Identity | None) -> dict[str, str]:
    if identity is None:
        return {"lastName": "", "firstName": "", "middleName": ""}
    return {
        "lastName": identity.last_name,
        "firstName": identity.first_name,
        "middleName": identity.middle_name,
    }


@dataclass
class Applied:
    """What happened to one staff member."""

    staff_number: str
    action: str  # "created" | "updated"
    person: Person
    notes: list[str] = field(default_factory=list)
    household_ignored: bool = False
    kept_linked_positions: list[int] = field(default_factory=list)
    addresses_created: int = 0


class Writer:
    def __init__(self, *, lookups: Lookups, addresses: AddressIndex, now: datetime, today: date):
        self.lookups = lookups
        self.addresses = addresses
        self.now = now
        self.today = today
        self.new_addresses: list[Address] = []
        self.new_persons: list[Person] = []
        self.changed_persons: dict[int, Person] = {}
        self.person_fields: set[str] = {"hr_synced_at", "date_modified"}
        self._changed = False  # whether the staff member being staged changed
        self.ended_identities: list[Identity] = []
        self.new_identities: list[Identity] = []
        self.new_employments: list[Employment] = []
        self.changed_employments: dict[int, Employment] = {}
        self.new_assignments: list[DistrictAssignment] = []
        self.changed_assignments: dict[int, DistrictAssignment] = {}
        self.removed_assignments: set[int] = set()
        self.new_households: list[Household] = []
        self.new_members: list[HouseholdMember] = []
        self.new_locations: list[HouseholdLocation] = []
        self.ended_locations: dict[int, HouseholdLocation] = {}

    # --- staging ----------------------------------------------------------------------

    def stage(
        self, entry: ReportEntry, payload: Mapping[str, object], campus: CampusPerson | None
    ) -> Applied:
        """Rows and changes for one entry whose action is "add" or "update"."""
        self._changed = False
        if entry.action == "add":
            held = CampusPerson(self._new_person(payload))
            applied = Applied(entry.staff_number, "created", held.person)
        else:
            assert campus is not None and campus.person.pk == entry.person_id
            held = campus
            applied = Applied(entry.staff_number, "updated", held.person)
            self._demographics(entry, payload, held.person)
        self._identity(entry, payload, held)
        for title in entry.titles_to_create:
            self.lookups.title_ref(title.code, title.description)
        self._employments(entry, held)
        self._positions(entry, held, applied)
        self._household(entry, payload, held, applied)
        if entry.action != "add":
            self._person_stamp(held.person)
        applied.notes = list(entry.notes)
        return applied

    def _new_person(self, payload: Mapping[str, object]) -> Person:
        person = Person(
            staff_number=text(payload.get("staffNumber")),
            created_at=self.now,
            date_modified=self.now,
            hr_synced_at=self.now,
        )
        for name, attname in PERSON_FIELDS.items():
            setattr(person, attname, self._value(name, payload.get(name)))
        self.new_persons.append(person)
        return person

    def _value(self, name: str, value: object):
        if name == "gender":
            return self.lookups.gender_ids.get(text(value))
        if name == "ssn":
            return normalize_ssn(value)
        if name == "birthDate":
            return as_date(value)
        return text(value)

    def _demographics(self, entry: ReportEntry, payload: Mapping[str, object], person: Person):
        """The demographics that differ from Campus's, set in place."""
        for change in entry.demographic_changes:
            if change.new_identity:
                continue
            attname = PERSON_FIELDS[change.field]
            value = self._value(change.field, payload.get(change.field))
            if _plain(getattr(person, attname)) == _plain(value):
                continue
            setattr(person, attname, value)
            self.person_fields.add(attname)
            self._changed = True

    def _person_stamp(self, person: Person):
        """A changed staff member is modified now; one written by HR for the first time is
        marked HR-synced (without being modified); anyone else is not written at all."""
        if self._changed:
            person.date_modified = self.now
            person.hr_synced_at = self.now
        elif person.hr_synced_at is None:
            person.hr_synced_at = self.now
        else:
            return
        self.changed_persons[person.pk] = person

    def _identity(self, entry: ReportEntry, payload: Mapping[str, object], held: CampusPerson):
        """A new staff member's first identity, or a name change: the current identity ends
        the day before the call and a new one starts on the day of the call."""
        current = held.identity
        if entry.action == "update" and not entry.new_identity:
            return
        names = _names(current)
        names.update(
            {name: text(payload.get(name))[:100] for name in NAME_FIELDS if name in payload}
        )
        if current is not None and _names(current) == names:
            return
        self._changed = True
        if current is not None and current.pk:
            current.is_current = False
            current.end_date = self.today - timedelta(days=1)
            self.ended_identities.append(current)
        identity = Identity(
            person=held.person,
            last_name=names["lastName"],
            first_name=names["firstName"],
            middle_name=names["middleName"],
            start_date=self.today,
            is_current=True,
        )
        held.identity = identity
        self.new_identities.append(identity)

    def _employments(self, entry: ReportEntry, held: CampusPerson):
        plan = entry.employment_changes
        for created in plan.creates:
            self._changed = True
            self.new_employments.append(
                Employment(
                    person=held.person,
                    hire_date=as_date(created.hire_date),
                    termination_date=as_date(created.termination_date),
                )
            )
        for update in plan.updates:
            hire = as_date(update.hire_date)
            for employment in held.employments:
                ends = as_date(update.new_termination_date)
                if employment.hire_date == hire and employment.termination_date != ends:
                    employment.termination_date = ends
                    self.changed_employments[employment.pk] = employment
                    self._changed = True

    def _positions(self, entry: ReportEntry, held: CampusPerson, applied: Applied):
        plan = entry.assignment_changes
        by_id = {a.pk: a for a in held.assignments}
        for update in plan.updates:
            assignment = by_id[update.position_id]
            attname = "start_date" if update.field == "startDate" else "end_date"
            value = as_date(update.new)
            if getattr(assignment, attname) == value:
                continue
            setattr(assignment, attname, value)
            self.changed_assignments[assignment.pk] = assignment
            self._changed = True
        self._changed |= bool(plan.creates or plan.removals)
        for position in plan.creates:
            title = self.lookups.title_ref(position.title_code)
            code_id = (
                self.lookups.assignment_ids[position.assignment_code]
                if position.assignment_code
                else None
            )
            assignment = DistrictAssignment(
                person=held.person,
                school_id=self.lookups.school_ids[position.school_number],
                assignment_code_id=code_id,
                start_date=as_date(position.start_date),
                end_date=as_date(position.end_date),
            )
            if isinstance(title, TitleCode):
                assignment.title_code = title
            else:
                assignment.title_code_id = title
            self.new_assignments.append(assignment)
        self.removed_assignments.update(plan.removals)
        applied.kept_linked_positions = list(plan.kept_linked)

    def _household(
        self,
        entry: ReportEntry,
        payload: Mapping[str, object],
        held: CampusPerson,
        applied: Applied,
    ):
        """The household decision: a new staff household, then its locations as sent (an
        "update" ends the locations no longer sent)."""
        decision = entry.household
        if decision is None or decision.action in ("none", "unchanged"):
            return
        if decision.action == "ignore":
            applied.household_ignored = True
            return
        household_payload = payload.get("household")
        assert isinstance(household_payload, Mapping)
        if decision.action == "create":
            self._household_create(payload, household_payload, held)
        locations = household_payload.get("householdLocations")
        if not isinstance(locations, list):
            return
        wanted = self._location_addresses(locations, applied)
        kept = self._locations_add(wanted, held)
        if decision.action == "update":
            self._locations_end(held, kept)

    def _household_create(
        self, payload: Mapping[str, object], household_payload: Mapping, held: CampusPerson
    ):
        name = text(household_payload.get("name"))
        if not name:
            last = text(payload.get("lastName")) or (
                held.identity.last_name if held.identity else ""
            )
            name = f"{last} Household".strip()
        household = Household(name=name[:200], is_staff_household=True, created_at=self.now)
        self._changed = True
        self.new_households.append(household)
        self.new_members.append(
            HouseholdMember(household=household, person=held.person, start_date=self.today)
        )
        held.household, held.member_count, held.locations = household, 1, []

    def _location_addresses(
        self, locations: list, applied: Applied
    ) -> list[tuple[int | Address, Mapping[str, object]]]:
        """(the address id, or a new Address, and the location) for each location sent."""
        wanted: list[tuple[int | Address, Mapping[str, object]]] = []
        for index, location in enumerate(locations):
            if not isinstance(location, Mapping) or location.get("address") is None:
                continue
            path = f"household.householdLocations[{index}].address"
            match = self.addresses.match(location["address"], path=path)
            if match.how == "create":
                address = address_from_rules(match.address)
                self.addresses.add(address)
                self.new_addresses.append(address)
                applied.addresses_created += 1
                wanted.append((address, location))
            elif match.how in ("components", "key"):
                ref = match.address_id
                if isinstance(ref, Address) and ref.pk:  # created by an earlier flush
                    ref = ref.pk
                wanted.append((ref, location))
            # "invalid" cannot happen: the payload was validated with its addresses.
        return wanted

    def _locations_add(
        self, wanted: list[tuple[int | Address, Mapping[str, object]]], held: CampusPerson
    ) -> set[int]:
        """A new household location for each address the household is not at yet; the ids
        of the locations it already has at the others."""
        kept: set[int] = set()
        for ref, location in wanted:
            existing = next(
                (
                    loc
                    for loc in held.locations
                    if not isinstance(ref, Address) and loc.address_id == ref
                ),
                None,
            )
            if existing is not None:
                kept.add(existing.pk)
                continue
            row = HouseholdLocation(
                household=held.household,
                start_date=as_date(location.get("startDate")) or self.today,
                is_mailing=location.get("mailing", True) is not False,
                is_secondary=location.get("secondary") is True,
                is_private=location.get("private") is True,
            )
            if isinstance(ref, Address):
                row.address = ref
            else:
                row.address_id = ref
            self.new_locations.append(row)
            self._changed = True
        return kept

    def _locations_end(self, held: CampusPerson, kept: set[int]):
        for location in held.locations:
            if location.pk and location.pk not in kept:
                location.end_date = self.today
                self.ended_locations[location.pk] = location
                self._changed = True

    # --- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything staged, one bulk statement per table and kind."""
        TitleCode.objects.bulk_create(
            [t for t in self.lookups.titles.values() if isinstance(t, TitleCode) and not t.pk]
        )
        Address.objects.bulk_create(self.new_addresses)
        Person.objects.bulk_create(self.new_persons)
        rows_update(Person, self.changed_persons.values(), sorted(self.person_fields))
        rows_update(Identity, self.ended_identities, ["is_current", "end_date"])
        Identity.objects.bulk_create(self.new_identities)
        Employment.objects.bulk_create(self.new_employments)
        rows_update(Employment, self.changed_employments.values(), ["termination_date"])
        if self.removed_assignments:
            DistrictAssignment.objects.filter(pk__in=sorted(self.removed_assignments)).delete()
        rows_update(
            DistrictAssignment, self.changed_assignments.values(), ["start_date", "end_date"]
        )
        DistrictAssignment.objects.bulk_create(self.new_assignments)
        Household.objects.bulk_create(self.new_households)
        HouseholdMember.objects.bulk_create(self.new_members)
        HouseholdLocation.objects.bulk_create(self.new_locations)
        rows_update(HouseholdLocation, self.ended_locations.values(), ["end_date"])
        for code, ref in list(self.lookups.titles.items()):
            if isinstance(ref, TitleCode) and ref.pk:
                self.lookups.titles[code] = ref.pk
                self.lookups.title_codes[ref.pk] = code
