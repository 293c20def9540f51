"""A Campus poll as a long job (``idbridge.jobs``): claim, progress in persons, a readable
failure, the sweeper, Retry, and the connection's summary in the district's time zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from idbridge.jobs.models import Job
from idbridge.jobs.progress import progress_payload
from idbridge.jobs.services import job_sweep
from idbridge.jobs.workers import job_sweep_worker
from staff import polling
from staff.jobs import POLL
from staff.models import CampusConnection, OnboardingCase
from staff.tasks import poll_connection


@pytest.fixture
def connection(db):
    return CampusConnection.objects.create(name="Sandbox", kind="rest")


def _poll_job(connection) -> Job:
    return CampusConnection.objects.get(id=connection.id).poll_job


def _stale(job: Job, settings) -> None:
    Job.objects.filter(id=job.id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)
    )


def test_a_poll_is_a_job_the_connection_points_to_and_is_claimed_once(connection):
    running = polling.connection_claim_poll(connection.id)
    job = _poll_job(connection)
    assert (job.id, job.kind, job.state, job.unit) == (running.id, POLL, "running", "persons")
    assert polling.connection_claim_poll(connection.id) is None
    assert polling.poll_queue(connection_id=connection.id) is None
    assert Job.objects.count() == 1
    assert CampusConnection.objects.get(id=connection.id).is_polling


def test_the_progress_json_of_a_poll_reads_in_persons(client, auditor, connection):
    running = polling.connection_claim_poll(connection.id, full=True)
    running.progress(1240, total=3000)
    client.force_login(auditor)
    body = client.get(f"/staff/connections/{connection.id}/progress/").json()
    assert (body["busy"], body["polling"], body["job_state"]) == (True, True, "running")
    assert body["words"] == "1,240 of 3,000 persons"
    assert body["label"] == "The full reconciliation"
    assert body["retry_url"] == ""  # an auditor manages nothing, and it is running


def test_the_last_poll_is_shown_in_the_district_time_zone(client, auditor, connection, settings):
    settings.TIME_ZONE = "America/Chicago"
    CampusConnection.objects.filter(id=connection.id).update(
        last_poll_at=datetime(2026, 12, 3, 18, 5, 7, tzinfo=UTC),
        last_poll_counts={"read": 3, "new_cases": 1},
    )
    client.force_login(auditor)
    body = client.get(f"/staff/connections/{connection.id}/progress/").json()
    assert body["last_poll_at"] == "2026-12-03 12:05:07 CST"
    assert body["counts"] == "3 read from Campus, 1 new staff invited"
    page = client.get(f"/staff/connections/{connection.id}/").content.decode()
    assert "2026-12-03 12:05:07 CST" in page and "18:05" not in page
    assert "3 read from Campus, 1 new staff invited" in page and "new_cases" not in page
    assert "idbridge/progress.js" in page and "staff/progress.js" not in page
    listing = client.get("/staff/").content.decode()
    assert "2026-12-03 12:05:07 CST" in listing and "18:05" not in listing


def test_an_unexpected_error_fails_the_poll_with_a_sentence(connection, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(polling, "_poll_run", broken)
    monkeypatch.setattr(polling, "connector_for", lambda connection: None)
    job = polling.poll_queue(connection_id=connection.id)
    poll_connection.apply(args=[job.id])
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == (
        "The poll stopped on an unexpected error (RuntimeError) while reading new and changed "
        "staff from Campus. The details are in the server log. Retry runs it again."
    )
    connection.refresh_from_db()
    assert connection.status == CampusConnection.Status.ERROR
    assert connection.last_error == job.error


def test_a_poll_whose_worker_died_is_swept_failed_with_retry_and_due_again(
    client, hr_operator, connection, settings
):
    running = polling.connection_claim_poll(connection.id)
    running.progress(1240, total=3000)
    _stale(running.job, settings)
    assert job_sweep() == [running.id]
    job = _poll_job(connection)
    assert job.state == "failed"
    assert job.error == (
        "The worker stopped while reading new and changed staff from Campus (last progress "
        "1,240 of 3,000 persons). Retry runs it again."
    )
    assert CampusConnection.objects.get(id=connection.id).status == "error"
    assert polling.connections_due() == [connection.id]
    client.force_login(hr_operator)
    body = client.get(f"/staff/connections/{connection.id}/progress/").json()
    assert body["job_state"] == "failed" and body["retry_url"] == f"/jobs/{job.id}/retry/"
    page = client.get(f"/staff/connections/{connection.id}/").content.decode()
    assert "The poll failed." in page and "job-retry" in page


def test_a_worker_starting_again_settles_at_once_the_polls_its_earlier_self_ran(connection):
    other = CampusConnection.objects.create(name="Other", kind="rest")
    mine, theirs = (polling.connection_claim_poll(c.id) for c in (connection, other))
    Job.objects.filter(id=mine.id).update(worker="demo@host")
    Job.objects.filter(id=theirs.id).update(worker="celery@other")
    started = timezone.now()
    assert job_sweep_worker("demo@host", started - timedelta(seconds=5)) == []  # beat since
    assert job_sweep_worker("demo@host", started) == [mine.id]
    job = Job.objects.get(id=mine.id)
    assert (job.state, job.error) == (
        "failed",
        "The worker stopped while reading new and changed staff from Campus (last progress "
        "0 persons). Retry runs it again.",
    )
    assert Job.objects.get(id=theirs.id).state == "running"  # another worker's, alive


def test_a_failed_poll_is_an_alert_until_a_later_poll_of_the_connection_succeeds(
    client, hr_operator, connection, monkeypatch
):
    other = CampusConnection.objects.create(name="Other", kind="rest")
    monkeypatch.setattr(polling, "connector_for", lambda connection: None)

    def broken(*args):
        raise RuntimeError("boom")

    def fine(*args):
        return None  # read nobody, nothing held

    monkeypatch.setattr(polling, "_poll_run", broken)
    for each in (connection, other):
        poll_connection.apply(args=[polling.poll_queue(connection_id=each.id).id])
    client.force_login(hr_operator)
    page = client.get("/").content.decode()
    assert page.count("The poll failed") == 2
    assert "Campus connection Sandbox failed" in page

    monkeypatch.setattr(polling, "_poll_run", fine)
    later = polling.poll_queue(connection_id=connection.id, full=True)
    poll_connection.apply(args=[later.id])
    assert Job.objects.get(id=later.id).state == "succeeded"
    for status in (client.get("/").content.decode(), client.get("/status.json").json()["html"]):
        assert status.count("The poll failed") == 1  # the other connection's, still failing
        assert "Campus connection Sandbox failed" not in status
        assert "Campus connection Other failed" in status
        assert "<dt>Failed in the last 7 days</dt><dd>2</dd>" in status  # still history


def test_bytes_read_as_data_size_in_words():
    info = progress_payload(
        state="running", done=2_202_010, total=5_662_310, unit="bytes", rate=1_363_149.0
    )
    assert info["words"] == "2.1 MB of 5.4 MB"
    assert info["rate_words"] == "1.3 MB/s"
    counted = progress_payload(state="running", done=1240, total=3000, unit="persons", rate=12.5)
    assert counted["rate_words"] == "12.5 persons/s"


@pytest.fixture
def sandbox(transactional_db, live_server, settings):
    from sandbox import faults
    from sandbox.services.clients import api_client_create
    from sandbox.services.seed import district_seed

    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=12, students=5, seed=5, actor="tests")
    _, creds = api_client_create(name="idbridge", actor="tests")
    faults.faults_clear(actor="tests")
    yield creds
    cache.clear()


def test_retry_of_a_swept_poll_completes_against_the_sandbox(
    sandbox, client, hr_operator, settings
):
    connection = CampusConnection.objects.create(
        name="Sandbox REST",
        kind="rest",
        token_url=sandbox["token_url"],
        rostering_base_url=sandbox["oneroster_base_url"] + "/",
        client_id=sandbox["client_id"],
        client_secret=sandbox["client_secret"],
    )
    running = polling.connection_claim_poll(connection.id)  # the worker then dies
    _stale(running.job, settings)
    job_sweep()
    client.force_login(hr_operator)
    response = client.post(f"/jobs/{running.id}/retry/")
    assert response.url == f"/staff/connections/{connection.id}/"
    job = _poll_job(connection)
    assert (job.id, job.state, job.attempts) == (running.id, "succeeded", 2)
    assert job.done and job.done == job.total
    connection.refresh_from_db()
    assert connection.status == CampusConnection.Status.OK and connection.last_poll_at
    assert OnboardingCase.objects.filter(staff_member__connection=connection).exists()
