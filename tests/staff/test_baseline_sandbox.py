"""The baseline against the Campus sandbox over HTTP (REST and SOAP): the first poll
records the district's staff as existing and sends nothing; a person hired afterwards is
invited by the next poll, once."""

import pytest
from django.core.cache import cache
from django.db.models import Q

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from sandbox.models import Person
from sandbox.services.clients import api_client_create
from sandbox.services.seed import district_seed
from staff import polling
from staff.models import CampusConnection, OnboardingCase
from staff.transitions import State
from tests.sandbox.conftest import _join_request_threads
from tests.staff.test_discovery import (
    case_keys,
    current_staff_ids,
    hire,
    rest_connection,
    soap_connection,
)


@pytest.fixture
def sandbox(transactional_db, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=6, students=6, seed=5, actor="tests")
    yield api_client_create(name="idbridge", actor="tests")[1]
    _join_request_threads()
    cache.clear()


def a_reachable_non_staff_person() -> Person:
    """A person with no position and an email address: a hire who can be invited."""
    return (
        Person.objects.filter(assignments__isnull=True, student__isnull=True)
        .exclude(Q(work_email="") & Q(personal_email=""))
        .order_by("pk")
        .first()
    )


def states() -> dict[str, str]:
    return dict(OnboardingCase.objects.values_list("staff_member__campus_key", "state"))


@pytest.mark.parametrize("make_connection", [rest_connection, soap_connection])
def test_the_first_poll_records_existing_staff_and_a_later_hire_is_invited(
    sandbox, make_connection, client, hr_operator
):
    connection = make_connection(sandbox)
    counts = polling.connection_poll(connection_id=connection.id)
    existing = current_staff_ids()
    assert case_keys() == existing and len(existing) >= 5
    assert set(states().values()) == {State.EXISTING}
    assert counts["existing"] == len(existing) and counts["new_cases"] == 0
    assert OutboxMessage.objects.count() == 0
    connection.refresh_from_db()
    assert connection.baseline_at and connection.baseline_count == len(existing)
    summary = AuditEntry.objects.get(action="staff.baseline.recorded")
    assert summary.details["existing"] == len(existing) and summary.details["invited"] == 0
    assert not AuditEntry.objects.filter(action="staff.discovered").exists()
    client.force_login(hr_operator)
    page = client.get(f"/staff/connections/{connection.id}/").content.decode()
    assert f"{len(existing)} existing staff recorded; 0 invited" in page

    newcomer = a_reachable_non_staff_person()
    hire(newcomer)
    again = polling.connection_poll(connection_id=connection.id)
    assert again["new_cases"] == 1 and again["existing"] == 0
    assert states()[str(newcomer.pk)] == State.INVITED
    assert OutboxMessage.objects.get().to == [newcomer.work_email or newcomer.personal_email]
    assert AuditEntry.objects.filter(action="staff.baseline.recorded").count() == 1

    polling.connection_poll(connection_id=connection.id, full=True)  # idempotent
    assert OnboardingCase.objects.count() == len(existing) + 1
    assert OutboxMessage.objects.count() == 1
    assert list(states().values()).count(State.EXISTING) == len(existing)


def test_a_baseline_cut_short_is_finished_by_the_next_poll_without_inviting(sandbox):
    connection = rest_connection(sandbox, page_size=2)
    polling.connection_poll(connection_id=connection.id)
    # As if the first poll had failed after its first batches: no baseline stamp yet.
    CampusConnection.objects.filter(id=connection.id).update(baseline_at=None, cursor={})
    OnboardingCase.objects.filter(id__in=OnboardingCase.objects.all()[:3]).delete()
    polling.connection_poll(connection_id=connection.id)
    assert set(states().values()) == {State.EXISTING}
    assert case_keys() == current_staff_ids()
    assert OutboxMessage.objects.count() == 0
    assert AuditEntry.objects.filter(action="staff.baseline.recorded").count() == 2
