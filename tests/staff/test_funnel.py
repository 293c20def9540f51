"""Onboarding at a glance: invited and verified per day, cases per school by state."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from staff import selectors
from staff.models import CaseEvent, Invitation, OnboardingCase, StaffMember
from staff.transitions import State

TODAY = date(2026, 11, 25)


def make_case(connection, n, state, schools=("101",)):
    member = StaffMember.objects.create(
        connection=connection,
        campus_key=f"p-{n}",
        first_name="Maria",
        last_name=f"Lopez{n}",
        birth_date="1985-04-12",
        work_email=f"m{n}@district.example",
        schools=list(schools),
    )
    return OnboardingCase.objects.create(staff_member=member, state=state)


def invite(case, at):
    Invitation.objects.create(
        case=case,
        secret_hash=f"h-{case.id}-{at.timestamp()}",
        sent_to="m@district.example",
        created_at=at,
        expires_at=at + timedelta(days=7),
    )


def verify(case, at, from_state=State.ENROLLED):
    CaseEvent.objects.create(
        case=case,
        at=at,
        actor_label="applicant",
        event="complete",
        from_state=from_state,
        to_state=State.VERIFIED,
    )


@pytest.fixture
def known_cases(connection):
    a = make_case(connection, 1, State.VERIFIED, schools=("101", "102"))
    b = make_case(connection, 2, State.INVITED)
    c = make_case(connection, 3, State.EXISTING, schools=())
    make_case(connection, 4, State.LOCKED, schools=("102",))
    # 03:00 UTC on the 20th is the evening of the 19th in the district (America/Chicago).
    invite(a, datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    invite(b, datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    invite(b, datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    invite(c, datetime(2026, 10, 1, 15, 0, tzinfo=UTC))  # before the 30 days
    verify(a, datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    # A note on a verified case keeps its state: it is no verification.
    verify(a, datetime(2026, 11, 25, 16, 0, tzinfo=UTC), from_state=State.VERIFIED)
    connection.school_names = {"101": "Lincoln Elementary", "102": "Roosevelt Middle"}
    connection.save(update_fields=["school_names"])
    return a, b, c


def test_invited_and_verified_are_counted_per_district_day(known_cases):
    days = selectors.funnel_by_day(today=TODAY)
    assert len(days) == 30
    assert days[0]["date"] == "2026-10-27" and days[-1]["date"] == "2026-11-25"
    per_day = {d["date"]: (d["invited"], d["verified"]) for d in days}
    assert per_day["2026-11-19"] == (1, 0)
    assert per_day["2026-11-20"] == (1, 0)
    assert per_day["2026-11-24"] == (1, 1)
    assert per_day["2026-11-25"] == (0, 0)
    assert sum(d["invited"] for d in days) == 3
    assert sum(d["verified"] for d in days) == 1


def test_cases_are_counted_per_school_by_state(known_cases):
    states = [s.value for s in State]
    rows = {row["school"]: dict(zip(states, row["counts"])) for row in selectors.cases_by_school()}
    lincoln, roosevelt = "Lincoln Elementary", "Roosevelt Middle"  # as Campus names 101, 102
    assert list(rows) == [selectors.NO_SCHOOL, lincoln, roosevelt]
    assert rows[lincoln]["verified"] == 1 and rows[lincoln]["invited"] == 1
    assert rows[roosevelt]["verified"] == 1 and rows[roosevelt]["locked"] == 1
    assert rows[selectors.NO_SCHOOL]["existing"] == 1
    totals = {row["school"]: row["total"] for row in selectors.cases_by_school()}
    assert totals == {selectors.NO_SCHOOL: 1, lincoln: 2, roosevelt: 2}


def test_the_onboarding_page_draws_the_chart_and_the_schools(client, auditor, connection):
    case = make_case(connection, 1, State.VERIFIED, schools=("Lincoln Elementary",))
    invite(case, timezone.now())
    verify(case, timezone.now())
    client.force_login(auditor)
    html = client.get("/staff/").content.decode()
    assert '<svg role="img"' in html and "<title" in html
    assert ": 1 invited, 1 verified</title>" in html
    assert 'class="visually-hidden" id="funnel-days"' in html
    assert "Lincoln Elementary" in html
    assert 'data-funnel-url="/staff/funnel.json"' in html and "staff/funnel.js" in html


def test_the_json_has_days_schools_and_the_partial(client, auditor, known_cases):
    client.force_login(auditor)
    response = client.get("/staff/funnel.json")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"days", "states", "schools", "html"}
    assert len(data["days"]) == 30
    assert set(data["days"][0]) == {"date", "invited", "verified"}
    assert data["states"] == [s.value for s in State]
    assert {row["school"] for row in data["schools"]} == {
        selectors.NO_SCHOOL,
        "Lincoln Elementary",
        "Roosevelt Middle",
    }
    assert set(data["schools"][0]) == {"school", "counts", "total"}
    assert "<svg" in data["html"] and "funnel-schools" in data["html"]


def test_an_outsider_cannot_read_the_funnel(client, outsider):
    client.force_login(outsider)
    assert client.get("/staff/funnel.json").status_code == 403
    client.logout()
    assert client.get("/staff/funnel.json").status_code == 302


def test_the_funnel_queries_stay_constant_as_cases_grow(client, auditor, connection):
    client.force_login(auditor)

    def queries():
        with CaptureQueriesContext(db_connection) as ctx:
            assert client.get("/staff/funnel.json").status_code == 200
        return len(ctx.captured_queries)

    def add(first, count):
        for n in range(first, first + count):
            case = make_case(connection, n, State.VERIFIED, schools=(f"S{n % 4}",))
            invite(case, timezone.now() - timedelta(days=n % 20))
            verify(case, timezone.now() - timedelta(days=n % 20))

    add(1, 2)
    queries()  # the first request also stores the session's idle-timeout stamp
    few = queries()
    add(3, 20)
    assert queries() == few


def test_the_counts_take_three_grouped_queries(known_cases, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.funnel_by_day(today=TODAY)
    with django_assert_num_queries(2):  # the cases grouped, and the schools' names
        selectors.cases_by_school()
