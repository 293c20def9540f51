"""Reads of the Campus sandbox for the dashboard and the APIs."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from idbridge.ids import database_id
from sandbox.models import (
    ApiClient,
    District,
    DistrictAssignment,
    Employment,
    HouseholdLocation,
    HouseholdMember,
    Identity,
    Person,
    Relationship,
    School,
    Student,
)


def not_ended_q(today: date) -> Q:
    """Dated rows (positions, enrolments, relationships, household memberships and
    locations) not ended on ``today``: no ``end_date``, or one on or after it."""
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


def in_effect_q(today: date) -> Q:
    """Dated rows in effect on ``today``: begun (``start_date`` on or before it), not ended."""
    return Q(start_date__lte=today) & not_ended_q(today)


def is_staff_now_q(today: date) -> Q:
    """Persons who are staff on ``today``: one of their positions is in effect.

    The rule idbridge's connectors apply to what Campus sends them
    (``idbridge.connectors.types.is_staff_on``), so OneRoster's ``status`` and the
    connectors agree on a future-dated hire and on a leaver.
    """
    positions = DistrictAssignment.objects.filter(in_effect_q(today), person=OuterRef("pk"))
    return Q(Exists(positions))


def is_staff_expression():
    """Whether a person has a staff record: a position, past, present or future (Campus's
    SOAP ``isStaff``; the dashboard's staff list, leavers included). Whether they are staff
    *now* is ``is_staff_now_q``."""
    return Exists(DistrictAssignment.objects.filter(person=OuterRef("pk")))


def current_identities() -> Prefetch:
    return Prefetch(
        "identities", queryset=Identity.objects.filter(is_current=True), to_attr="current"
    )


def assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=DistrictAssignment.objects.select_related(
            "school", "assignment_code", "title_code"
        ).order_by("start_date", "id"),
    )


def current_identity(person: Person) -> Identity | None:
    """The prefetched current identity (``current_identities()``), or a query."""
    if hasattr(person, "current"):
        return person.current[0] if person.current else None
    return person.identities.filter(is_current=True).first()


def person_get_for_api(person_id: int) -> Person | None:
    """A person with what the Identity Service returns, or None."""
    return (
        Person.objects.defer("ssn")
        .select_related("gender")
        .prefetch_related(current_identities(), assignments_prefetch())
        .annotate(is_staff=is_staff_expression())
        .filter(pk=person_id)
        .first()
    )


def district_get() -> District | None:
    return District.objects.first()


def district_summary() -> dict:
    return {
        "district": district_get(),
        "persons": Person.objects.count(),
        "staff": Person.objects.filter(is_staff_expression()).count(),
        "students": Student.objects.count(),
    }


def school_list():
    """Schools with how many staff (distinct persons with a position) and students."""
    staff = (
        DistrictAssignment.objects.filter(school=OuterRef("pk"))
        .values("school")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    students = (
        Student.objects.filter(school=OuterRef("pk")).values("school").annotate(n=Count("pk"))
    ).values("n")
    return School.objects.annotate(
        staff_count=Coalesce(Subquery(staff), 0), student_count=Coalesce(Subquery(students), 0)
    ).order_by("number")


def staff_list(search: str = ""):
    """Staff, newest personID first, with their current name; ``search`` matches a name,
    a staff number or a personID."""
    name = Identity.objects.filter(person=OuterRef("pk"), is_current=True)
    qs = (
        Person.objects.defer("ssn")
        .filter(is_staff_expression())
        .annotate(
            first_name=Subquery(name.values("first_name")[:1]),
            last_name=Subquery(name.values("last_name")[:1]),
        )
        .order_by("-pk")
    )
    search = search.strip()
    if search:
        condition = Q(staff_number=search) | Q(
            Exists(
                Identity.objects.filter(person=OuterRef("pk"), is_current=True).filter(
                    Q(last_name__icontains=search)
                    | Q(first_name__icontains=search)
                    | Q(
                        first_name__icontains=search.split()[0],
                        last_name__icontains=search.split()[-1],
                    )
                )
            )
        )
        if (pk := database_id(search)) is not None:
            condition |= Q(pk=pk)
        qs = qs.filter(condition)
    return qs


def person_detail(person_id: int) -> Person:
    return get_object_or_404(
        Person.objects.select_related("gender", "student__school")
        .annotate(is_staff=is_staff_expression())
        .prefetch_related(
            Prefetch(
                "identities", queryset=Identity.objects.order_by("-is_current", "-start_date")
            ),
            Prefetch("employments", queryset=Employment.objects.order_by("hire_date")),
            assignments_prefetch(),
            Prefetch(
                "household_memberships",
                queryset=HouseholdMember.objects.select_related("household").prefetch_related(
                    Prefetch(
                        "household__members",
                        queryset=HouseholdMember.objects.prefetch_related(
                            current_identities_of("person")
                        ).select_related("person"),
                    ),
                    Prefetch(
                        "household__locations",
                        queryset=HouseholdLocation.objects.select_related("address"),
                    ),
                ),
            ),
            Prefetch(
                "guardian_relationships",
                queryset=Relationship.objects.select_related("guardian"),
            ),
            Prefetch(
                "ward_relationships",
                queryset=Relationship.objects.select_related("student"),
            ),
        ),
        pk=person_id,
    )


def current_identities_of(path: str) -> Prefetch:
    return Prefetch(
        f"{path}__identities",
        queryset=Identity.objects.filter(is_current=True),
        to_attr="current",
    )


def api_client_list():
    return ApiClient.objects.select_related("application").order_by("name")
