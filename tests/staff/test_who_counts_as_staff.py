"""Who counts as staff: one rule (``is_staff_on``), the same over SOAP and OneRoster.

A person is staff from the start date of a position until its end date, in the district's
time zone. Each case of the table is a person with one position dated relative to today;
both connectors read the same persons from the sandbox over HTTP and must agree.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from idbridge.connectors.types import district_today, is_staff_on
from sandbox.models import DistrictAssignment, Person, School
from sandbox.services.clients import api_client_create
from sandbox.services.people import assignment_add
from sandbox.services.seed import district_seed
from staff.connectors import connector_for
from tests.sandbox.conftest import _join_request_threads
from tests.staff.test_discovery import rest_connection, soap_connection

# name: (start, end) in days from today (None: no end date), staff today?
CASES = {
    "current": ((-30, 30), True),
    "no end date": ((-30, None), True),
    "starting today": ((0, None), True),
    "future-dated": ((7, None), False),
    "ended": ((-400, -1), False),
    "ending today": ((-400, 0), True),
}


def dated(today: date, days: tuple[int, int | None]) -> tuple[date, date | None]:
    start, end = days
    return today + timedelta(days=start), None if end is None else today + timedelta(days=end)


@pytest.mark.parametrize("name", CASES)
def test_a_person_is_staff_from_a_positions_start_date_until_its_end_date(name):
    days, expected = CASES[name]
    today = date(2026, 8, 24)
    assert is_staff_on([dated(today, days)], today) is expected


def test_one_current_position_among_ended_ones_makes_staff():
    today = date(2026, 8, 24)
    ended, current = dated(today, (-400, -1)), dated(today, (-30, None))
    assert is_staff_on([ended, current], today)
    assert not is_staff_on([ended, dated(today, (7, None))], today)


def test_today_is_the_districts_date_not_utcs():
    evening_in_minnesota = datetime(2026, 8, 24, 2, 30, tzinfo=UTC)  # 21:30 on the 23rd
    assert district_today("America/Chicago", evening_in_minnesota) == date(2026, 8, 23)
    assert district_today("UTC", evening_in_minnesota) == date(2026, 8, 24)


@pytest.fixture
def sandbox(transactional_db, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=3, students=8, seed=5, actor="tests")
    yield api_client_create(name="idbridge", actor="tests")[1]
    cache.clear()


def people_for_each_case() -> dict[str, Person]:
    """A person with no position yet (a parent) per case, given that case's position."""
    today = timezone.localdate()
    school = School.objects.first()
    title = DistrictAssignment.objects.exclude(title_code=None).first().title_code
    parents = Person.objects.filter(assignments__isnull=True, student__isnull=True)
    people = dict(zip(CASES, parents.order_by("pk"), strict=False))
    assert len(people) == len(CASES)
    for name, person in people.items():
        start, end = dated(today, CASES[name][0])
        assignment_add(
            person=person,
            school=school,
            start_date=start,
            end_date=end,
            title_code=title,
            actor="tests",
        )
    return people


@pytest.mark.parametrize("make_connection", [rest_connection, soap_connection])
def test_both_connectors_count_the_same_people_as_staff(sandbox, make_connection):
    people = people_for_each_case()
    connector = connector_for(make_connection(sandbox))
    found = {name: connector.get_person(str(person.pk)) for name, person in people.items()}
    # Keep-alive connections end while the live server still shares the test database.
    connector.http.close()
    _join_request_threads()
    expected = {name: staff for name, (_, staff) in CASES.items()}
    assert {name: person.is_staff for name, person in found.items()} == expected
    # What opens an onboarding case, or revokes one.
    assert {name: p.is_staff and p.is_active for name, p in found.items()} == expected
