"""A GetPerson answer (zeep's objects) as a ``CampusPerson``."""

from __future__ import annotations

from datetime import UTC, date, datetime

from idbridge.connectors.types import Assignment, CampusPerson, is_staff_on


def text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def assignments_of(p) -> tuple[Assignment, ...]:
    wrapper = getattr(p, "assignments", None)
    items = getattr(wrapper, "assignment", wrapper) or []
    if not isinstance(items, list):
        items = [items]
    return tuple(
        Assignment(
            school_number=text(getattr(a, "schoolNumber", None)),
            school_name=text(getattr(a, "schoolName", None)),
            assignment_code=text(getattr(a, "assignmentCode", None)),
            title_code=text(getattr(a, "titleCode", None)),
            start_date=parse_date(getattr(a, "startDate", None)),
            end_date=parse_date(getattr(a, "endDate", None)),
        )
        for a in items
    )


def person_from(p, today: date) -> CampusPerson:
    """The person in a GetPerson answer; staff or not on ``today``, the district's date."""
    assignments = assignments_of(p)
    person_id = int(p.personID)
    return CampusPerson(
        person_id=person_id,
        sourced_id=str(person_id),
        staff_number=text(getattr(p, "staffNumber", None)),
        first_name=text(getattr(p, "firstName", None)),
        last_name=text(getattr(p, "lastName", None)),
        middle_name=text(getattr(p, "middleName", None)),
        birth_date=parse_date(getattr(p, "birthDate", None)),
        work_email=text(getattr(p, "workEmail", None)),
        personal_email=text(getattr(p, "personalEmail", None)),
        # Staff now by the dates of their positions, as over OneRoster: Campus's isStaff
        # says only that a staff record exists, so it is true for a hire who starts
        # next month and for a leaver whose positions have all ended.
        is_staff=is_staff_on(((a.start_date, a.end_date) for a in assignments), today),
        date_modified=parse_datetime(getattr(p, "dateModified", None)),
        assignments=assignments,
    )
