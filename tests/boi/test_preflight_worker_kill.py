"""A pre-flight whose worker is SIGKILLed fails visibly, and Retry finishes it (real worker,
PostgreSQL, Redis, the Campus sandbox on the live server).

The worker looks up each address and staff member in the sandbox, slowed down; the test
kills it mid-job, lets the heartbeat go stale, runs the sweeper, and checks what the HR
operator sees: "failed", a sentence saying where it stopped, Retry, an Error Log entry
and an alert. Retry with a fresh worker then runs the pre-flight to completion.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from boi.models import Alert, ErrorLogEntry, HrImport
from boi.samples import sample_csv
from idbridge.jobs.models import Job
from idbridge.jobs.services import job_sweep
from sandbox import faults
from tests.boi.test_integration import sandbox_connection, upload_and_check  # noqa: F401
from tests.conftest import wait_for

from .worker_settings import BOI_CRASH_TEST_QUEUE, CELERY_TASK_ROUTES

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 3
ROWS = 40


def _database_url():
    from django.db import connection

    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(
    name: str,
    *,
    settings_module="tests.boi.worker_settings",
    queue=BOI_CRASH_TEST_QUEUE,
    env: dict | None = None,
    args: tuple = ("--pool", "solo"),
):
    """A worker on the test queue, one task at a time unless ``args`` say otherwise (its
    environment and arguments, with ``env`` and ``args`` added)."""
    from django.conf import settings

    from idbridge.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "JOBS_PROGRESS_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    hostname = f"{name}-{os.getpid()}@localhost"
    log = open(ROOT / "var" / f"test-{name}.log", "w")  # noqa: SIM115 - closed by stop()
    command = [sys.executable, "-m", "celery", "-A", "idbridge", "worker"]
    command += ["--queues", queue, "--hostname", hostname]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO", *args]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"worker {name} exited: see {log.name}")
        if app.control.ping(destination=[hostname], timeout=1.0):
            return proc
    pytest.fail(f"worker {name} did not answer a ping")


def stop(proc, sig=signal.SIGTERM):
    if proc.log.closed:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    proc.log.close()


def other_database_sessions() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cursor.fetchall()]


@contextmanager
def tasks_routed(routes: dict | str, queue: str):
    """Tasks matching ``routes`` (a pattern, or Celery task routes) that this process sends
    go to ``queue`` (emptied first: leftovers of an earlier run); the cached router is
    dropped, as in the commit-job crash test."""
    from idbridge.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue, durable=True)
        connection.default_channel.queue_purge(queue)
    before = app.conf.task_routes

    def route(routes):
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    route({routes: {"queue": queue}} if isinstance(routes, str) else routes)
    try:
        yield
    finally:
        route(before)


@pytest.fixture
def boi_queue():
    """The tasks this test sends (the console's, the sandbox's, the staff polls') go to the
    test workers' queue."""
    with tasks_routed(CELERY_TASK_ROUTES, BOI_CRASH_TEST_QUEUE):
        yield


def test_a_killed_workers_preflight_shows_failed_with_retry_and_retry_completes(
    client,
    login,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture imported above
    boi_queue,
    settings,
):
    settings.JOBS_STALE_SECONDS = STALE_SECONDS
    login(hr_operator)
    first = start_worker("boi-preflight-a")
    second = None
    try:
        hr_import = upload_and_check(client, sandbox_connection, sample_csv(ROWS, seed=3), "k.csv")
        faults.faults_set(actor="tests", endpoints="boi.addresses,boi.staff", latency_ms=150)
        assert client.post(f"/boi/imports/{hr_import.id}/preflight/").status_code == 302
        job = HrImport.objects.get(id=hr_import.id).preflight_job
        wait_for(lambda: Job.objects.get(id=job.id).done >= 10, 90, what="pre-flight progress")
        stop(first, signal.SIGKILL)
        wait_for(lambda: not other_database_sessions(), 30, what="the worker's session to end")
        killed = Job.objects.get(id=job.id)
        assert killed.state == Job.State.RUNNING and killed.done < killed.total
        wait_for(
            lambda: (
                time.time() - Job.objects.get(id=job.id).heartbeat_at.timestamp()
                > STALE_SECONDS + 0.5
            ),
            30,
            what="the heartbeat to go stale",
        )
        assert job_sweep() == [job.id]
        _assert_failed_with_retry(client, hr_import, Job.objects.get(id=job.id), killed)
        faults.faults_set(actor="tests", latency_ms=0)
        second = start_worker("boi-preflight-b")
        response = client.post(f"/jobs/{job.id}/retry/")
        assert response.status_code == 302 and response.url == f"/boi/imports/{hr_import.id}/"
        done = wait_for(
            lambda: Job.objects.filter(id=job.id, state__in=["succeeded", "failed"]).first(),
            120,
            what="the retried pre-flight to finish",
        )
    finally:
        if first.poll() is None:
            stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        faults.faults_clear(actor="tests")
    assert (done.state, done.error, done.attempts) == ("succeeded", "", 2)
    assert done.done == done.total
    hr_import.refresh_from_db()
    assert hr_import.preflight_status == "done"
    summary = hr_import.preflight_summary
    assert summary["staff_found"] + summary["staff_missing"] + summary["likely_duplicates"] == (
        hr_import.good_row_count
    )
    page = client.get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert 'id="preflight-summary"' in page and "Retry" not in page


def _assert_failed_with_retry(client, hr_import, job, killed):
    words = f"{killed.done:,} of {killed.total:,} checks"
    assert job.state == Job.State.FAILED
    assert job.error == (
        "The worker stopped while looking up addresses and staff in Campus "
        f"(last progress {words}). Retry runs it again."
    )
    progress = client.get(f"/jobs/{job.id}/progress/").json()
    assert (progress["state"], progress["busy"]) == ("failed", False)
    assert progress["retry_url"] == f"/jobs/{job.id}/retry/"
    page = client.get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "Pre-flight failed." in page and words in page
    assert f'action="/jobs/{job.id}/retry/"' in page and "Pre-flight running" not in page
    assert ErrorLogEntry.objects.filter(action="JOB", message=job.error).exists()
    assert Alert.objects.filter(level="error", title__startswith="Pre-flight of k.csv").exists()
