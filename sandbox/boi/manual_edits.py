"""Edits made by hand in the sandbox's Campus UI, refused where HR controls the data.

Staff written by the HR system (``Person.hr_synced_at``) are read-only in the areas the
Business Office Preferences lock: those changes must come from HR through the API.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from idbridge.audit.services import audit_record
from sandbox.boi.preferences import person_locked_areas
from sandbox.models import DistrictAssignment, Employment, HouseholdLocation, Person
from sandbox.services.people import assignment_end, identity_change_name

AREA_NAMES = {
    "demographics": "Demographics",
    "identities": "Names (identities)",
    "employment": "District Employment",
    "assignments": "District Assignments",
    "households": "Households and addresses",
}


class LockedByHr(PermissionError):
    def __init__(self, area: str):
        super().__init__(
            f"{AREA_NAMES[area]} of this staff member come from the HR system and are "
            "read-only (Business Office Preferences): change them in HR"
        )
        self.area = area


def _guard(person: Person, area: str) -> None:
    if area in person_locked_areas(person):
        raise LockedByHr(area)


def person_name_change(*, person: Person, first_name, middle_name, last_name, actor):
    _guard(person, "identities")
    return identity_change_name(
        person=person,
        first_name=first_name,
        middle_name=middle_name,
        last_name=last_name,
        actor=actor,
    )


def person_contact_set(*, person: Person, actor, **values) -> Person:
    _guard(person, "demographics")
    allowed = {"work_phone", "cell_phone", "other_phone", "work_email", "personal_email"}
    with transaction.atomic():
        for name, value in values.items():
            if name not in allowed:
                raise ValueError(name)
            setattr(person, name, value)
        person.save(update_fields=sorted(values))
        audit_record(
            actor=actor,
            action="campus.person_edited",
            target=person,
            details={"fields": sorted(values)},
        )
    return person


def employment_add(*, person: Person, hire_date: date, termination_date: date | None, actor):
    _guard(person, "employment")
    with transaction.atomic():
        employment = Employment.objects.create(
            person=person, hire_date=hire_date, termination_date=termination_date
        )
        audit_record(
            actor=actor,
            action="campus.employment_added",
            target=person,
            details={"employment_id": employment.pk},
        )
    return employment


def position_end(*, assignment: DistrictAssignment, end_date: date, actor) -> None:
    _guard(assignment.person, "assignments")
    assignment_end(assignment=assignment, end_date=end_date, actor=actor)


def household_location_end(*, person: Person, location: HouseholdLocation, end_date: date, actor):
    _guard(person, "households")
    with transaction.atomic():
        location.end_date = end_date
        location.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            action="campus.household_location_ended",
            target=person,
            details={"location_id": location.pk, "household_id": location.household_id},
        )
