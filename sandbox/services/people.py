"""Writes to persons that the APIs expose; each one moves ``Person.date_modified``.

The BOI tools build their manual edits on these (``sandbox.boi.manual_edits``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from sandbox.models import (
    AssignmentCode,
    DistrictAssignment,
    Identity,
    Person,
    School,
    TitleCode,
)


def person_touch(*, person_ids, at=None) -> int:
    """Mark persons as modified (at ``at``, default now) without changing anything else."""
    return Person.objects.filter(pk__in=list(person_ids)).update(date_modified=at or timezone.now())


def identity_change_name(
    *,
    person: Person,
    first_name: str,
    last_name: str,
    middle_name: str = "",
    on: date | None = None,
    actor,
) -> Identity:
    """A name change: end-date the current identity, start a new current one.

    Returns the current identity unchanged when the name is the same.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        current = (
            Identity.objects.select_for_update().filter(person=person, is_current=True).first()
        )
        if current and (current.first_name, current.middle_name, current.last_name) == (
            first_name,
            middle_name,
            last_name,
        ):
            return current
        if current:
            current.is_current = False
            current.end_date = on - timedelta(days=1)
            current.save(update_fields=["is_current", "end_date"])
        identity = Identity.objects.create(
            person=person,
            first_name=first_name,
            middle_name=middle_name,
            last_name=last_name,
            start_date=on,
            is_current=True,
        )
        audit_record(
            actor=actor,
            action="campus.identity_changed",
            target=person,
            details={"identity_id": identity.pk},
        )
    return identity


def assignment_add(
    *,
    person: Person,
    school: School,
    start_date: date,
    assignment_code: AssignmentCode | None = None,
    title_code: TitleCode | None = None,
    end_date: date | None = None,
    actor,
) -> DistrictAssignment:
    """A new position (the person becomes staff if they were not)."""
    if assignment_code is None and title_code is None:
        raise ValueError("A position needs an assignment code or a title code.")
    with transaction.atomic():
        assignment = DistrictAssignment.objects.create(
            person=person,
            school=school,
            assignment_code=assignment_code,
            title_code=title_code,
            start_date=start_date,
            end_date=end_date,
        )
        audit_record(
            actor=actor,
            action="campus.assignment_added",
            target=person,
            details={"assignment_id": assignment.pk, "school": school.number},
        )
    return assignment


def assignment_end(*, assignment: DistrictAssignment, end_date: date, actor) -> None:
    with transaction.atomic():
        assignment.end_date = end_date
        assignment.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            action="campus.assignment_ended",
            target=assignment.person,
            details={"assignment_id": assignment.pk, "end_date": end_date.isoformat()},
        )
