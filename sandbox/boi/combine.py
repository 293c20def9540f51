"""The Combine Person tool: a student or parent hired as staff exists twice in Campus.

The HR system finds no staff number for them and creates a new staff member, so Campus
has the student/parent person and the new staff person. Combining keeps the **base
person** — which must be the new staff member — and moves the other person's records to
it: student record, relationships, household memberships, identities (as history),
employments and positions; demographics the base lacks are filled in. The other person
is then deleted.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from sandbox.models import (
    DistrictAssignment,
    Employment,
    HouseholdMember,
    Identity,
    Person,
    Relationship,
    Student,
)

FILLABLE = (
    "birth_date",
    "gender_id",
    "work_email",
    "personal_email",
    "work_phone",
    "cell_phone",
    "other_phone",
)


class CombineError(ValueError):
    pass


def _refuse_unless_combinable(base: Person, other: Person) -> None:
    if not DistrictAssignment.objects.filter(person=base).exists():
        raise CombineError(
            "the base person must be the new staff member (a person with a district "
            "assignment): swap the two"
        )
    if other.staff_number and base.staff_number and other.staff_number != base.staff_number:
        raise CombineError(
            f"both people have staff numbers ({base.staff_number}, {other.staff_number}): "
            "they are two staff members, not one"
        )
    if (
        Student.objects.filter(person=base).exists()
        and Student.objects.filter(person=other).exists()
    ):
        raise CombineError("both people have a student record")


def _records_move(base: Person, other: Person) -> dict[str, int]:
    """Move the other person's records to the base; how many of each moved."""
    moved = {
        "student": Student.objects.filter(person=other).update(person=base),
        "employments": Employment.objects.filter(person=other).update(person=base),
        "assignments": DistrictAssignment.objects.filter(person=other).update(person=base),
        "relationships": Relationship.objects.filter(student=other).update(student=base)
        + Relationship.objects.filter(guardian=other).update(guardian=base),
    }
    base_households = set(
        HouseholdMember.objects.filter(person=base).values_list("household_id", flat=True)
    )
    HouseholdMember.objects.filter(person=other, household_id__in=base_households).delete()
    moved["households"] = HouseholdMember.objects.filter(person=other).update(person=base)
    moved["identities"] = _identities_move(base, other)
    return moved


def _identities_move(base: Person, other: Person) -> int:
    """The other person's identities become the base's history (ended today at the latest)."""
    today = timezone.localdate()
    Identity.objects.filter(person=other, is_current=True).update(is_current=False)
    Identity.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=today), person=other).update(
        end_date=today
    )
    return Identity.objects.filter(person=other).update(person=base)


def _demographics_fill(base: Person, other: Person) -> list[str]:
    """Fill in what the base lacks from the other person; the fields filled."""
    filled = []
    for name in FILLABLE:
        if not getattr(base, name) and getattr(other, name):
            setattr(base, name, getattr(other, name))
            filled.append(name)
    if not base.ssn and other.ssn:
        base.ssn = other.ssn.reveal()
        filled.append("ssn")
    if not base.staff_number and other.staff_number:
        base.staff_number = other.staff_number
        filled.append("staff_number")
    return filled


def person_combine(*, base_id: int, other_id: int, actor) -> Person:
    if base_id == other_id:
        raise CombineError("choose two different people")
    with transaction.atomic():
        people = {
            p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[base_id, other_id])
        }
        if len(people) != 2:
            raise CombineError("both people must exist")
        base, other = people[base_id], people[other_id]
        _refuse_unless_combinable(base, other)
        moved = _records_move(base, other)
        filled = _demographics_fill(base, other)
        base.save()
        other_pk = other.pk
        other.delete()
        audit_record(
            actor=actor,
            action="campus.person_combined",
            target=base,
            details={"base": base.pk, "combined": other_pk, "moved": moved, "filled": filled},
        )
    return base
