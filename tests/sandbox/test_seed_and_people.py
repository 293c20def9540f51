"""Seeding the sandbox and the writes that keep dateModified honest."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from sandbox.models import (
    AssignmentCode,
    DistrictAssignment,
    Employment,
    HouseholdMember,
    Identity,
    Person,
    School,
    Student,
)
from sandbox.selectors import is_staff_expression
from sandbox.services import people
from sandbox.services.seed import SandboxNotEmpty, district_clear, district_seed, sandbox_is_empty


def test_a_seeded_district_has_every_kind_of_record(district):
    assert district.counts["person"] == Person.objects.count()
    assert Person.objects.filter(is_staff_expression()).count() == 40
    assert Student.objects.count() == 40
    assert School.objects.filter(kind="office").count() == 1
    assert Employment.objects.exists() and HouseholdMember.objects.exists()
    assert AuditEntry.objects.filter(action="campus.district_seeded").count() == 1


def test_ssns_are_encrypted_at_rest_and_read_back_masked(district):
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssn FROM campus_person WHERE ssn <> '' LIMIT 1")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    person = Person.objects.exclude(ssn="").first()
    assert str(person.ssn).startswith("•••••") and len(person.ssn.reveal()) == 11


def test_a_person_added_after_seeding_gets_the_next_person_id(district):
    highest = Person.objects.order_by("-pk").first().pk
    assert Person.objects.create(staff_number="NEW1").pk == highest + 1


def test_a_person_added_after_a_smaller_reseed_gets_the_next_person_id(district):
    """Replacing a district with a smaller one: the next person follows the seeded ones
    (SQLite's AUTOINCREMENT would otherwise remember the larger district's highest id)."""
    for n in range(60):
        Person.objects.create(staff_number=f"GONE{n}")
    district_seed(staff=5, students=0, seed=2, actor="tests", replace=True)
    highest = Person.objects.order_by("-pk").first().pk
    assert Person.objects.create(staff_number="NEW2").pk == highest + 1


def test_seeding_refuses_a_sandbox_that_has_a_district_unless_replacing(district):
    with pytest.raises(SandboxNotEmpty):
        district_seed(staff=5, students=0, seed=1, actor="tests")
    report = district_seed(staff=12, students=0, seed=1, actor="tests", replace=True)
    assert Person.objects.count() == report.counts["person"] == 12


def test_clearing_the_district_leaves_an_empty_sandbox(district):
    district_clear(actor="tests")
    assert sandbox_is_empty()


def test_the_same_seed_and_date_give_the_same_people(db):
    first = district_seed(staff=30, students=10, seed=4, actor="t", as_of=date(2026, 1, 1))
    names = list(Identity.objects.order_by("pk").values_list("first_name", "last_name"))
    district_seed(staff=30, students=10, seed=4, actor="t", as_of=date(2026, 1, 1), replace=True)
    assert names == list(Identity.objects.order_by("pk").values_list("first_name", "last_name"))
    assert first.counts["person"] == Person.objects.count()


# --- dateModified ------------------------------------------------------------------------


def _stale(person):
    Person.objects.filter(pk=person.pk).update(date_modified=timezone.now() - timedelta(days=30))
    person.refresh_from_db()
    return person.date_modified


def test_saving_a_person_moves_date_modified(district):
    person = Person.objects.first()
    before = _stale(person)
    person.work_phone = "555-0101"
    person.save(update_fields=["work_phone"])
    person.refresh_from_db()
    assert person.date_modified > before


def test_a_name_change_ends_the_identity_starts_a_new_one_and_moves_date_modified(district):
    person = Person.objects.first()
    before = _stale(person)
    identity = people.identity_change_name(
        person=person, first_name="Dana", last_name="Rivera-Smith", actor="tests"
    )
    old = Identity.objects.filter(person=person, is_current=False).order_by("-pk").first()
    assert identity.is_current and old.end_date == timezone.localdate() - timedelta(days=1)
    assert Identity.objects.filter(person=person, is_current=True).count() == 1
    person.refresh_from_db()
    assert person.date_modified > before
    same = people.identity_change_name(
        person=person, first_name="Dana", last_name="Rivera-Smith", actor="tests"
    )
    assert same.pk == identity.pk


def test_positions_added_or_ended_move_date_modified_and_make_staff(district):
    student = Student.objects.first().person
    assert not Person.objects.filter(is_staff_expression(), pk=student.pk).exists()
    before = _stale(student)
    assignment = people.assignment_add(
        person=student,
        school=School.objects.first(),
        assignment_code=AssignmentCode.objects.get(code="40"),
        start_date=timezone.localdate(),
        actor="tests",
    )
    student.refresh_from_db()
    assert student.date_modified > before
    assert Person.objects.filter(is_staff_expression(), pk=student.pk).exists()
    before = _stale(student)
    people.assignment_end(assignment=assignment, end_date=timezone.localdate(), actor="tests")
    student.refresh_from_db()
    assert student.date_modified > before


def test_deleting_a_position_moves_date_modified(district):
    assignment = DistrictAssignment.objects.select_related("person").first()
    before = _stale(assignment.person)
    assignment.delete()
    assignment.person.refresh_from_db()
    assert assignment.person.date_modified > before


def test_a_person_cannot_have_two_current_identities(district):
    person = Person.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Identity.objects.create(person=person, first_name="A", last_name="B", is_current=True)


def test_a_position_needs_an_assignment_code_or_a_title_code(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictAssignment.objects.create(
            person=Person.objects.first(), school=School.objects.first(), start_date=date.today()
        )
    with pytest.raises(ValueError):
        people.assignment_add(
            person=Person.objects.first(),
            school=School.objects.first(),
            start_date=date.today(),
            actor="tests",
        )


def test_a_delta_query_on_sqlite_reads_the_date_modified_index(district):
    from sandbox.oneroster.filters import parse_filter
    from sandbox.oneroster.users import FILTER_FIELDS, page_queryset, users_queryset

    flt = parse_filter("dateLastModified>'2026-01-01T00:00:00Z'", FILTER_FIELDS)
    qs = users_queryset(flt, None, timezone.localdate())
    plan = page_queryset(qs, flt, None, total=10).values_list("pk", flat=True)[:1000].explain()
    assert "campus_person_modified_idx" in plan, plan
    assert "SCAN campus_person" not in plan, plan
