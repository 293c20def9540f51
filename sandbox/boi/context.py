"""What Campus knows, loaded in bulk for a batch of HR staff payloads.

The BOI rules (``boi.rules``) are pure: they take the district's lists (``Mappings``) and
Campus's view of a staff member (``CampusStaff``). This module builds both with a fixed
number of queries per batch, whatever its size: the persons with the batch's staff
numbers, then their current identities, employments, positions, households and household
locations, each with one ``__in`` query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from boi.rules.households import HouseholdView
from boi.rules.positions import ExistingPosition
from boi.rules.staff import Mappings
from boi.rules.sync import CampusStaff
from boi.rules.sync import Employment as RulesEmployment
from sandbox.models import (
    AssignmentCode,
    DistrictAssignment,
    Employment,
    Gender,
    Household,
    HouseholdLocation,
    HouseholdMember,
    Identity,
    Person,
    School,
    TitleCode,
)
from sandbox.selectors import not_ended_q

CHUNK = 900  # ids per IN (...) list


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Lookups:
    """The district's lists as ids by code. ``titles`` grows as the batch creates titles;
    ``mappings.title_codes`` is the same live set, so a title created for one staff member
    is known to the next."""

    gender_ids: dict[str, int]
    gender_codes: dict[int, str]
    school_ids: dict[str, int]
    school_numbers: dict[int, str]
    assignment_ids: dict[str, int]
    assignment_codes: dict[int, str]
    titles: dict[str, int | TitleCode]
    title_codes: dict[int, str]
    title_code_set: set[str] = field(default_factory=set)

    @property
    def mappings(self) -> Mappings:
        return Mappings(
            genders=frozenset(self.gender_ids),
            school_numbers=frozenset(self.school_ids),
            assignment_codes=frozenset(self.assignment_ids),
            title_codes=self.title_code_set,
        )

    def title_ref(self, code: str | None, description: str = "") -> int | TitleCode | None:
        """The title's id, or a new unsaved TitleCode (once per code per batch)."""
        if not code:
            return None
        found = self.titles.get(code)
        if found is None:
            found = TitleCode(code=code, description=description[:200])
            self.titles[code] = found
            self.title_code_set.add(code)
        return found


def lookups_load() -> Lookups:
    genders = dict(Gender.objects.values_list("code", "id"))
    schools = dict(School.objects.values_list("number", "id"))
    codes = dict(AssignmentCode.objects.values_list("code", "id"))
    titles = dict(TitleCode.objects.values_list("code", "id"))
    return Lookups(
        gender_ids=genders,
        gender_codes={v: k for k, v in genders.items()},
        school_ids=schools,
        school_numbers={v: k for k, v in schools.items()},
        assignment_ids=codes,
        assignment_codes={v: k for k, v in codes.items()},
        titles=dict(titles),
        title_codes={v: k for k, v in titles.items()},
        title_code_set=set(titles),
    )


@dataclass
class CampusPerson:
    """One Campus person with everything a staff update may touch."""

    person: Person
    identity: Identity | None = None
    employments: list[Employment] = field(default_factory=list)
    assignments: list[DistrictAssignment] = field(default_factory=list)
    household: Household | None = None
    member_count: int = 0
    locations: list[HouseholdLocation] = field(default_factory=list)

    def demographics(self, lookups: Lookups) -> dict[str, str | None]:
        person, identity = self.person, self.identity
        return {
            "lastName": identity.last_name if identity else "",
            "firstName": identity.first_name if identity else "",
            "middleName": identity.middle_name if identity else "",
            "gender": lookups.gender_codes.get(person.gender_id) if person.gender_id else None,
            "ssn": person.ssn.reveal() if person.ssn else "",
            "birthDate": iso(person.birth_date),
            "workPhone": person.work_phone,
            "cellPhone": person.cell_phone,
            "otherPhone": person.other_phone,
            "workEmail": person.work_email,
            "personalEmail": person.personal_email,
        }

    def existing_positions(self, lookups: Lookups) -> tuple[ExistingPosition, ...]:
        return tuple(
            ExistingPosition(
                id=a.pk,
                school_number=lookups.school_numbers.get(a.school_id, ""),
                title_code=lookups.title_codes.get(a.title_code_id) if a.title_code_id else None,
                assignment_code=(
                    lookups.assignment_codes.get(a.assignment_code_id)
                    if a.assignment_code_id
                    else None
                ),
                start_date=iso(a.start_date),
                end_date=iso(a.end_date),
                is_linked=a.is_linked_to_other_activity,
            )
            for a in self.assignments
        )

    def as_campus_staff(self, lookups: Lookups) -> CampusStaff:
        household = None
        if self.household is not None:
            household = HouseholdView(
                self.household.pk,
                self.household.is_staff_household,
                self.member_count,
                frozenset(location.address_id for location in self.locations),
            )
        return CampusStaff(
            person_id=self.person.pk,
            staff_number=self.person.staff_number,
            demographics=self.demographics(lookups),
            employments=tuple(
                RulesEmployment(iso(e.hire_date), iso(e.termination_date)) for e in self.employments
            ),
            positions=self.existing_positions(lookups),
            household=household,
        )


def campus_people_load(
    *,
    staff_numbers: Iterable[str] = (),
    person_ids: Iterable[int] = (),
    today: date,
    with_locations: bool = True,
) -> dict[int, CampusPerson]:
    """Persons with these staff numbers (or ids) and their records, by personID."""
    people = _persons_load(staff_numbers, person_ids)
    memberships = _records_load(people, today)
    _households_attach(people, memberships)
    _household_details_attach(people, today, with_locations)
    return people


def _persons_load(
    staff_numbers: Iterable[str], person_ids: Iterable[int]
) -> dict[int, CampusPerson]:
    numbers = sorted({n for n in staff_numbers if n})
    people: dict[int, CampusPerson] = {}
    for chunk in _chunks(numbers):
        for person in Person.objects.filter(staff_number__in=chunk).order_by("id"):
            people[person.pk] = CampusPerson(person)
    wanted = sorted({int(pk) for pk in person_ids} - set(people))
    for chunk in _chunks(wanted):
        for person in Person.objects.filter(pk__in=chunk).order_by("id"):
            people[person.pk] = CampusPerson(person)
    return people


def _records_load(people: dict[int, CampusPerson], today: date) -> dict[int, list[int]]:
    """Each person's current identity, employments and positions; their households' ids."""
    memberships: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(people)):
        for identity in Identity.objects.filter(person_id__in=chunk, is_current=True):
            people[identity.person_id].identity = identity
        for employment in Employment.objects.filter(person_id__in=chunk).order_by(
            "hire_date", "id"
        ):
            people[employment.person_id].employments.append(employment)
        for assignment in DistrictAssignment.objects.filter(person_id__in=chunk).order_by(
            "start_date", "id"
        ):
            people[assignment.person_id].assignments.append(assignment)
        for person_id, household_id in HouseholdMember.objects.filter(
            not_ended_q(today), person_id__in=chunk
        ).values_list("person_id", "household_id"):
            memberships[person_id].append(household_id)
    return memberships


def _households_attach(people: dict[int, CampusPerson], memberships: dict[int, list[int]]):
    # Two plain IN lookups rather than a join: the join makes the planner read every
    # household of the district for each batch.
    households: dict[int, Household] = {}
    for chunk in _chunks(sorted({h for ids in memberships.values() for h in ids})):
        households.update(Household.objects.in_bulk(chunk))
    for person_id, ids in memberships.items():
        # The household HR may update: a staff household first, then the oldest.
        ids.sort(key=lambda pk: (not households[pk].is_staff_household, pk))
        people[person_id].household = households[ids[0]]


def _household_details_attach(
    people: dict[int, CampusPerson], today: date, with_locations: bool
) -> None:
    """Each household's member count and (``with_locations``) its current locations."""
    household_ids = sorted({p.household.pk for p in people.values() if p.household})
    counts: dict[int, int] = {}
    locations: dict[int, list[HouseholdLocation]] = defaultdict(list)
    for chunk in _chunks(household_ids):
        counts.update(
            HouseholdMember.objects.filter(not_ended_q(today), household_id__in=chunk)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        if with_locations:
            for location in HouseholdLocation.objects.filter(
                not_ended_q(today), household_id__in=chunk
            ).order_by("id"):
                locations[location.household_id].append(location)
    for held in people.values():
        if held.household is not None:
            held.member_count = counts.get(held.household.pk, 1)
            held.locations = locations.get(held.household.pk, [])


def campus_by_number(people: dict[int, CampusPerson]) -> dict[str, list[CampusPerson]]:
    by_number: dict[str, list[CampusPerson]] = defaultdict(list)
    for held in people.values():
        if held.person.staff_number:
            by_number[held.person.staff_number].append(held)
    return by_number
