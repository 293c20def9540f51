"""The baseline: staff already in Campus when a connection is first polled are recorded as
existing and invited by HR only (one person, or many by school or Campus role)."""

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from idbridge.audit.models import AuditEntry
from idbridge.connectors.types import Assignment
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from staff.services.discovery import staff_records_from_campus
from staff.transitions import INITIAL, Event, IllegalTransition, State, first_state, next_state
from tests.staff.conftest import person


def at_school(n, *schools, roles=("teacher",)):
    return person(n, assignments=tuple(Assignment(school_number=s) for s in schools), roles=roles)


def baseline(connection, persons):
    """Record ``persons`` as a connection's first poll does; their cases, by staff number."""
    staff_records_from_campus(connection=connection, persons=persons, baseline=True)
    return {
        c.staff_member.staff_number: c
        for c in OnboardingCase.objects.select_related("staff_member")
    }


# --- the transition table ---------------------------------------------------------------


def test_a_case_begins_existing_at_the_baseline_and_discovered_after_it():
    assert first_state(baseline=True) == State.EXISTING
    assert first_state(baseline=False) == State.DISCOVERED
    assert INITIAL == {State.EXISTING, State.DISCOVERED}


def test_existing_staff_are_invited_revoked_or_nothing():
    assert next_state(State.EXISTING, Event.INVITE) == State.INVITED
    assert next_state(State.EXISTING, Event.REVOKE) == State.REVOKED
    for event in (Event.OPEN_LINK, Event.ENROLL, Event.COMPLETE, Event.EXPIRE, Event.REPROOF):
        with pytest.raises(IllegalTransition):
            next_state(State.EXISTING, event)


# --- recording ----------------------------------------------------------------------------


def test_a_baseline_opens_existing_cases_and_sends_nothing(
    connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cases = baseline(connection, [person(1), person(2)])
    assert {c.state for c in cases.values()} == {State.EXISTING}
    assert all(c.from_baseline for c in cases.values())
    assert callbacks == [] and OutboxMessage.objects.count() == 0
    assert not AuditEntry.objects.filter(action="staff.discovered").exists()
    assert [e.event for e in cases["S00001"].events.all()] == ["baseline"]


def test_a_repoll_never_invites_an_existing_person_nor_opens_a_second_case(
    connection, django_capture_on_commit_callbacks
):
    baseline(connection, [person(1)])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            result = staff_records_from_campus(
                connection=connection, persons=[person(1, last_name="Lopez-Garcia")]
            )
    assert result["new_cases"] == 0 and result["existing"] == 0
    assert OnboardingCase.objects.get().state == State.EXISTING
    assert OutboxMessage.objects.count() == 0


def test_staff_who_appear_after_the_baseline_are_invited(
    connection, django_capture_on_commit_callbacks
):
    baseline(connection, [person(1)])
    with django_capture_on_commit_callbacks(execute=True):
        staff_records_from_campus(connection=connection, persons=[person(1), person(2)])
    states = dict(OnboardingCase.objects.values_list("staff_member__staff_number", "state"))
    assert states == {"S00001": State.EXISTING, "S00002": State.INVITED}
    assert OutboxMessage.objects.get().to == ["maria.lopez2@district.example"]


def test_an_existing_person_who_leaves_is_revoked(connection):
    baseline(connection, [person(1)])
    staff_records_from_campus(connection=connection, persons=[person(1, is_staff=False)])
    assert OnboardingCase.objects.get().state == State.REVOKED


def test_a_baseline_batch_costs_a_few_queries_whatever_its_size(connection):
    def queries(numbers):
        with CaptureQueriesContext(db_connection) as ctx:
            persons = [person(n) for n in numbers]
            staff_records_from_campus(connection=connection, persons=persons, baseline=True)
        return len(ctx.captured_queries)

    small, large = queries(range(1, 11)), queries(range(11, 511))
    assert OnboardingCase.objects.filter(state=State.EXISTING).count() == 510
    # No query per person: SQLite splits each bulk insert into statements of 999
    # parameters at most (about 33 queries for 500 persons: staff, their sources, cases;
    # PostgreSQL needs only the handful).
    assert small <= 8 and large <= 40, (small, large)


# --- HR invites existing staff ----------------------------------------------------------


def test_an_hr_operator_invites_one_existing_person(
    client, hr_operator, connection, django_capture_on_commit_callbacks
):
    case = baseline(connection, [person(1), person(2)])["S00001"]
    client.force_login(hr_operator)
    page = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Existing" in page and f"/staff/cases/{case.id}/invite/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/cases/{case.id}/invite/", follow=True)
    assert b"An invitation was sent" in response.content
    case.refresh_from_db()
    assert case.state == State.INVITED
    assert OutboxMessage.objects.get().to == ["maria.lopez1@district.example"]
    entry = AuditEntry.objects.get(action="staff.case.invite")
    assert entry.actor_label == "omar_hr" and entry.details["from"] == "existing"
    # Inviting twice is refused: the second time is a resend, not an invitation.
    response = client.post(f"/staff/cases/{case.id}/invite/", follow=True)
    assert b"Only existing staff" in response.content


def test_an_auditor_cannot_invite_existing_staff(client, auditor, connection):
    case = baseline(connection, [person(1)])["S00001"]
    client.force_login(auditor)
    assert client.post(f"/staff/cases/{case.id}/invite/").status_code == 403
    assert client.post("/staff/waves/new/", {"scope": "all", "pace": "none"}).status_code == 403
    assert OnboardingCase.objects.get().state == State.EXISTING


def test_existing_staff_are_invited_in_a_wave_by_school(
    client, hr_operator, connection, django_capture_on_commit_callbacks
):
    baseline(connection, [at_school(1, "101"), at_school(2, "101", "102"), at_school(3, "102")])
    client.force_login(hr_operator)
    assert "Invite existing staff" in client.get("/staff/").content.decode()
    form = client.get("/staff/waves/new/").content.decode()
    assert "101 (Campus gives no name) (2)" in form and "102 (Campus gives no name) (2)" in form
    connection.school_names = {"101": "Lincoln Elementary"}  # as a poll records them
    connection.save(update_fields=["school_names"])
    form = client.get("/staff/waves/new/").content.decode()
    assert '<option value="101">Lincoln Elementary (2)</option>' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/waves/new/", {"scope": "school", "school": "101", "pace": "none"}, follow=True
        )
    assert b"Wave started: 2 existing staff (school Lincoln Elementary), no limit." in (
        response.content
    )
    states = dict(OnboardingCase.objects.values_list("staff_member__staff_number", "state"))
    assert states == {"S00001": State.INVITED, "S00002": State.INVITED, "S00003": State.EXISTING}
    assert sorted(m.to[0] for m in OutboxMessage.objects.all()) == [
        "maria.lopez1@district.example",
        "maria.lopez2@district.example",
    ]
    queued = AuditEntry.objects.get(action="staff.wave.created")
    assert queued.details["count"] == 2 and queued.actor_label == "omar_hr"
    assert AuditEntry.objects.filter(action="staff.case.invite", actor_label="omar_hr").count() == 2


def test_existing_staff_are_invited_in_waves_by_role_or_all(
    client, hr_operator, connection, django_capture_on_commit_callbacks
):
    baseline(
        connection,
        [at_school(1, "101"), at_school(2, "101", roles=("administrator",)), at_school(3, "9")],
    )
    client.force_login(hr_operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/waves/new/", {"scope": "role", "role": "administrator", "pace": "none"})
    assert OnboardingCase.objects.filter(state=State.INVITED).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/waves/new/", {"scope": "all", "pace": "none"})
    assert not OnboardingCase.objects.filter(state=State.EXISTING).exists()
    assert OutboxMessage.objects.count() == 3  # nobody invited twice


def test_a_school_must_be_chosen_to_invite_by_school(client, hr_operator, connection):
    baseline(connection, [at_school(1, "101")])
    client.force_login(hr_operator)
    response = client.post("/staff/waves/new/", {"scope": "school", "pace": "none"})
    assert response.status_code == 200 and b"Choose one." in response.content
    assert OnboardingCase.objects.get().state == State.EXISTING
