"""Discovery against the Campus sandbox over real HTTP: SOAP and REST, with faults."""

import math
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection as db_connection
from django.db.models import Q
from django.utils import timezone

from idbridge.core.models import OutboxMessage
from sandbox import faults
from sandbox.models import DistrictAssignment, Person, School
from sandbox.services.clients import api_client_create
from sandbox.services.people import assignment_add, assignment_end
from sandbox.services.seed import district_seed
from staff import polling
from staff.models import CampusConnection, OnboardingCase, StaffMember, StaffSource
from staff.transitions import State
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def sandbox(request, transactional_db, live_server, settings):
    from idbridge.celery import app

    # Invitations are sent by a task: in-process here, unless the test runs a real worker.
    app.conf.task_always_eager = "celery_worker" not in request.fixturenames
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", False))
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=25, students=15, seed=5, actor="tests")
    _, creds = api_client_create(name="idbridge", actor="tests")
    faults.faults_clear(actor="tests")
    faults.counters_reset()
    yield creds
    faults.faults_clear(actor="tests")
    cache.clear()


def rest_connection(creds, **extra):
    return CampusConnection.objects.create(
        name="Sandbox REST",
        kind="rest",
        token_url=creds["token_url"],
        rostering_base_url=creds["oneroster_base_url"] + "/",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        **extra,
    )


def soap_connection(creds, **extra):
    extra.setdefault("name", "Sandbox SOAP")
    return CampusConnection.objects.create(
        kind="soap",
        wsdl_url=creds["wsdl_url"],
        soap_username=creds["soap_username"],
        soap_password=creds["soap_password"],
        miss_run_limit=10,
        **extra,
    )


def after_an_empty_baseline() -> dict:
    """A connection that took its baseline before the district's staff were in Campus: it
    invites everyone it finds from now on (a connection's own first poll invites nobody;
    see test_baseline_sandbox.py)."""
    return {"baseline_at": timezone.now(), "baseline_count": 0}


def current_staff_ids() -> set[str]:
    """Persons with a position that has begun and not ended (what Campus calls staff now,
    over SOAP as over OneRoster)."""
    today = timezone.localdate()
    current = Q(assignments__start_date__lte=today) & (
        Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=today)
    )
    return {str(pk) for pk in Person.objects.filter(current).values_list("pk", flat=True)}


def case_keys() -> set[str]:
    return set(
        OnboardingCase.objects.exclude(state=State.REVOKED).values_list(
            "staff_member__campus_key", flat=True
        )
    )


def hire(person: Person) -> None:
    assignment_add(
        person=person,
        school=School.objects.first(),
        start_date=timezone.localdate(),
        title_code=DistrictAssignment.objects.exclude(title_code=None).first().title_code,
        actor="tests",
    )


def a_non_staff_person() -> Person:
    return Person.objects.exclude(assignments__isnull=False).order_by("pk").first()


def test_rest_discovery_finds_exactly_the_new_staff_and_a_repoll_adds_nothing(sandbox):
    connection = rest_connection(sandbox, **after_an_empty_baseline())
    counts = polling.connection_poll(connection_id=connection.id)
    expected = current_staff_ids()
    assert len(expected) >= 15
    assert case_keys() == expected
    assert counts["new_cases"] == len(expected)
    assert OutboxMessage.objects.count() == len(expected)  # one invitation each
    again = polling.connection_poll(connection_id=connection.id)
    assert again["new_cases"] == 0
    assert OnboardingCase.objects.count() == len(expected)
    assert OutboxMessage.objects.count() == len(expected)
    assert faults.counters_get()["oauth.token"] == 1  # the token is cached between polls


def test_rest_staff_numbers_come_from_the_configured_field(sandbox):
    connection = rest_connection(sandbox, staff_number_field="userIds:staffNumber")
    polling.connection_poll(connection_id=connection.id)
    member = StaffMember.objects.exclude(staff_number="").first()
    assert member.staff_number == Person.objects.get(pk=int(member.campus_key)).staff_number


def test_soap_discovery_finds_exactly_the_new_staff_with_one_authentication(sandbox):
    connection = soap_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    assert case_keys() == current_staff_ids()
    # The first walk read everyone: no second full pass over the same staff.
    highest = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert faults.counters_get()["soap.GetPerson"] <= highest + connection.miss_run_limit
    connection.refresh_from_db()
    assert connection.last_full_at and connection.last_full_staff_count == len(current_staff_ids())
    polling.connection_poll(connection_id=connection.id, full=True)
    assert faults.counters_get()["soap.Authenticate"] == 1
    connection.refresh_from_db()
    # The full pass re-reads every staff member, and the dashboard's progress shows it.
    assert connection.poll_job.done == connection.poll_job.total >= len(current_staff_ids())
    member = StaffMember.objects.first()
    assert member.birth_date.reveal()  # GetPerson carries the birth date


@pytest.mark.parametrize("make_connection", [rest_connection, soap_connection])
def test_a_person_who_gains_a_position_later_is_discovered_then(sandbox, make_connection):
    connection = make_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    newcomer = a_non_staff_person()
    assert str(newcomer.pk) not in case_keys()
    hire(newcomer)
    polling.connection_poll(connection_id=connection.id)
    assert str(newcomer.pk) in case_keys()


@pytest.mark.parametrize("max_concurrency", [1, 4])
def test_a_soap_session_expiring_mid_poll_costs_one_reauthentication(sandbox, max_concurrency):
    # With four GetPerson calls in flight, all four come back refused: one authenticates.
    connection = soap_connection(
        sandbox, max_concurrency=max_concurrency, **after_an_empty_baseline()
    )
    faults.faults_set(actor="tests", latency_ms=20, endpoints="soap.GetPerson")
    result = {}

    def run():
        try:
            result.update(polling.connection_poll(connection_id=connection.id))
        finally:
            db_connection.close()

    poll = threading.Thread(target=run)
    poll.start()
    wait_for(lambda: faults.counters_get().get("soap.GetPerson", 0) >= 10, timeout=30)
    faults.sessions_expire_now(actor="tests")
    poll.join(timeout=120)
    assert result["new_cases"] == len(current_staff_ids())
    assert case_keys() == current_staff_ids()
    assert faults.counters_get()["soap.Authenticate"] == 2


def test_a_concurrent_soap_poll_finds_and_asks_exactly_what_a_sequential_one_does(sandbox):
    polls = {}
    for max_concurrency in (1, 4):
        faults.counters_reset()
        connection = soap_connection(
            sandbox, name=f"Sandbox SOAP x{max_concurrency}", max_concurrency=max_concurrency
        )
        counts = polling.connection_poll(connection_id=connection.id)
        connection.refresh_from_db()
        keys = set(
            StaffMember.objects.filter(connection=connection).values_list("campus_key", flat=True)
        )
        polls[max_concurrency] = (counts, connection.cursor, keys, faults.counters_get())
        # The next connection reads the same Campus: it would adopt these people. Start over.
        StaffSource.objects.all().delete()
        OnboardingCase.objects.all().delete()
        StaffMember.objects.all().delete()
    assert polls[4] == polls[1]
    counts, cursor, keys, counters = polls[4]
    assert keys == current_staff_ids()
    assert cursor["high_person_id"] == Person.objects.order_by("-pk").first().pk
    assert counters["soap.Authenticate"] == 1


@pytest.mark.parametrize(
    "make_connection,endpoints",
    [
        (rest_connection, "oneroster,oauth"),
        (soap_connection, "soap"),
    ],
)
def test_injected_errors_and_timeouts_lose_nothing_and_duplicate_nothing(
    sandbox, make_connection, endpoints
):
    connection = make_connection(
        sandbox, request_timeout_seconds=1, page_size=4, **after_an_empty_baseline()
    )
    faults.faults_set(
        actor="tests",
        endpoints=endpoints,
        error_share=0.3,
        error_status=503,
        timeout_share=0.1,
        timeout_seconds=2,
    )
    polling.connection_poll(connection_id=connection.id)
    expected = current_staff_ids()
    assert case_keys() == expected
    assert OutboxMessage.objects.count() == len(expected)
    # The faults really fired: more requests than a clean run needs.
    counters, people = faults.counters_get(), Person.objects.count()
    if connection.kind == "rest":
        assert counters["oneroster.users"] > math.ceil(people / 4)
    else:
        assert counters["soap.GetPerson"] > people + connection.miss_run_limit


def test_leavers_are_revoked_on_the_next_poll(sandbox):
    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    leaver = Person.objects.get(pk=int(sorted(case_keys())[0]))
    for assignment in leaver.assignments.all():
        assignment_end(
            assignment=assignment,
            end_date=timezone.localdate() - timedelta(days=1),
            actor="tests",
        )
    polling.connection_poll(connection_id=connection.id)
    case = OnboardingCase.objects.get(staff_member__campus_key=str(leaver.pk))
    assert case.state == State.REVOKED
    assert case.staff_member.sessions_revoked_at is not None


def test_soap_leavers_are_revoked_and_changes_recorded_by_the_full_pass(sandbox):
    connection = soap_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    leaver, renamed = (Person.objects.get(pk=int(k)) for k in sorted(case_keys())[:2])
    for assignment in leaver.assignments.all():
        assignment_end(
            assignment=assignment,
            end_date=timezone.localdate() - timedelta(days=1),
            actor="tests",
        )
    Person.objects.filter(pk=renamed.pk).update(work_email="renamed@district.example")
    polling.connection_poll(connection_id=connection.id, full=True)
    case = OnboardingCase.objects.get(staff_member__campus_key=str(leaver.pk))
    assert case.state == State.REVOKED
    member = StaffMember.objects.get(campus_key=str(renamed.pk))
    assert member.work_email == "renamed@district.example"
    assert member.case.state != State.REVOKED


def test_a_full_pull_that_finds_far_fewer_staff_is_held(sandbox):
    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    CampusConnection.objects.filter(id=connection.id).update(last_full_staff_count=1000)
    polling.connection_poll(connection_id=connection.id, full=True)
    connection.refresh_from_db()
    assert connection.status == CampusConnection.Status.HELD
    assert "Nobody was deprovisioned" in connection.last_error
    assert not OnboardingCase.objects.filter(state=State.REVOKED).exists()
    polling.connection_poll(connection_id=connection.id, full=True, accept_shrink=True)
    connection.refresh_from_db()
    assert connection.status == CampusConnection.Status.OK
    assert connection.last_full_staff_count == len(current_staff_ids())


def test_rejected_credentials_stop_with_a_clear_error(sandbox):
    connection = rest_connection(sandbox)
    CampusConnection.objects.filter(id=connection.id).update(client_secret="")
    connection.refresh_from_db()
    connection.client_secret = "wrong-secret"
    connection.save()
    from idbridge.connectors.types import PermanentCampusError

    with pytest.raises(PermanentCampusError):
        polling.connection_poll(connection_id=connection.id)
    connection.refresh_from_db()
    assert connection.status == CampusConnection.Status.ERROR
    assert "rejected the client credentials" in connection.last_error
    assert not connection.is_polling  # the claim is released


def test_a_poll_task_on_a_real_worker_waits_out_a_rate_limit(sandbox, celery_worker):
    connection = rest_connection(sandbox)
    faults.faults_set(
        actor="tests", endpoints="oneroster", rate_limit_share=1.0, retry_after_seconds=1
    )
    polling.poll_queue(connection_id=connection.id)
    wait_for(
        lambda: CampusConnection.objects.filter(
            id=connection.id, status=CampusConnection.Status.ERROR
        ).exists(),
        timeout=60,
    )
    assert "HTTP 429" in CampusConnection.objects.get(id=connection.id).last_error
    faults.faults_clear(actor="tests")
    wait_for(
        lambda: CampusConnection.objects.filter(
            id=connection.id, status=CampusConnection.Status.OK
        ).exists(),
        timeout=90,
    )
    assert case_keys() == current_staff_ids()
    # The worker goes on sending the new cases' invitations: let it finish before the
    # test database is flushed under it (a flush racing those writes can deadlock).
    wait_for(lambda: not OnboardingCase.objects.filter(state=State.DISCOVERED).exists(), timeout=60)


@pytest.mark.parametrize("make_connection", [rest_connection, soap_connection])
def test_schools_are_named_as_campus_names_them(sandbox, make_connection, client, hr_operator):
    from tests.boi.test_console_words import visible_text

    connection = make_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    connection.refresh_from_db()
    # Over OneRoster a role names its org by sourcedId (the names come from /orgs); over
    # SOAP an assignment carries the school's number and name.
    keyed = "sourced_id" if connection.kind == "rest" else "number"
    expected = {getattr(s, keyed): s.name for s in School.objects.all()}
    keys = {key for member in StaffMember.objects.all() for key in member.schools}
    assert keys and {k: connection.school_names[k] for k in keys} == {k: expected[k] for k in keys}
    member = StaffMember.objects.exclude(schools=[]).first()
    client.force_login(hr_operator)
    text = visible_text(client.get("/staff/").content.decode())
    shown = [expected[key] for key in member.schools]
    assert all(name in text for name in shown), shown
    if connection.kind == "rest":
        assert not any(key in text for key in keys)  # no org sourcedId in Cases per school
    case = visible_text(client.get(f"/staff/cases/{member.case.id}/").content.decode())
    assert f"Schools {', '.join(shown)}" in case
