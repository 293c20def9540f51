"""A commit job survives its worker being killed (real worker, PostgreSQL, Redis).

The worker runs the job in small, slowed-down batches; the test SIGKILLs it mid-job,
waits for the job's heartbeat to go stale, starts another worker, and checks that the job
finishes with every staff member committed exactly once. The same worker started again
under its name resumes the job as it starts, long before the heartbeat would go stale.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Count

from sandbox import faults
from sandbox.models import (
    CommitJob,
    DistrictAssignment,
    Employment,
    Identity,
    Person,
    SyncStagedStaff,
)
from tests.conftest import wait_for

from .conftest import BoiApi, payload_from_campus, read, unique_staff
from .worker_settings import CRASH_TEST_QUEUE

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
STALE_SECONDS = 3
NEW_STAFF = 60


def _database_url():
    from django.db import connection

    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(name: str, stale_seconds: int = STALE_SECONDS):
    from django.conf import settings

    from idbridge.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "tests.sandbox.boi.worker_settings",
        "CAMPUS_SANDBOX_BOI_BATCH_SIZE": "5",
        "CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS": str(stale_seconds),
        "LOG_LEVEL": "WARNING",
    }
    hostname = f"{name}-{os.getpid()}@localhost"
    log = open(ROOT / "var" / f"test-{name}.log", "w")  # noqa: SIM115 - closed by stop()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "idbridge",
            "worker",
            "--pool",
            "solo",
            "--queues",
            CRASH_TEST_QUEUE,
            "--hostname",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
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
    """Backend pids of every session on the test database but this test's own (a worker's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cursor.fetchall()]


@pytest.fixture
def crash_queue():
    """Sandbox tasks this test sends go to the crash-test workers' queue.

    Celery's producer keeps a Router built from ``task_routes`` when the first task was
    sent (``app.amqp.router`` is a cached property): changing the setting is not enough
    once an earlier test has sent a task, the cached router must go too. Otherwise the
    job lands on the default queue, where the suite's session worker would run it.
    """
    from idbridge.celery import app

    with app.connection_for_write() as connection:  # leftovers of an earlier run
        connection.default_channel.queue_declare(CRASH_TEST_QUEUE, durable=True)
        connection.default_channel.queue_purge(CRASH_TEST_QUEUE)
    before = app.conf.task_routes

    def route(routes):
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    route({"sandbox.tasks.*": {"queue": CRASH_TEST_QUEUE}})
    assert app.amqp.router.route({}, "sandbox.tasks.commit_job_run")["queue"].name == (
        CRASH_TEST_QUEUE
    )
    try:
        yield
    finally:
        route(before)


def _validated_sync(api, staff_payload) -> tuple[int, list, list, list]:
    """A sync of 10 changed staff and NEW_STAFF hires, validated, its batches slowed."""
    updates = [payload_from_campus(p) for p in unique_staff(10)]
    for payload in updates:
        payload["workPhone"] = "651-555-0123"
    hires = [staff_payload(f"97{i:04d}", lastName=f"Hire{i}") for i in range(NEW_STAFF)]
    staff = updates + hires
    sync_id = api.post("sync/start").json()["syncID"]
    assert api.post(f"sync/{sync_id}/transfer", staff).status_code == 200
    api.post(f"sync/{sync_id}/endTransfer")
    assert read(api.post(f"sync/{sync_id}/validate"))["summary"]["error"] == 0
    faults.faults_set(actor="tests", endpoints="boi.commitBatch", latency_ms=400)
    return sync_id, staff, updates, hires


def test_a_killed_worker_s_commit_job_finishes_on_another_worker_exactly_once(
    client, make_api_client, district, staff_payload, crash_queue
):
    api = BoiApi(client, make_api_client(name="HR system"))
    sync_id, staff, updates, hires = _validated_sync(api, staff_payload)
    first = start_worker("boi-worker-a")
    second = None
    try:
        job_id = api.post(f"sync/{sync_id}/submitCommitJob").json()["jobID"]
        wait_for(
            lambda: CommitJob.objects.get(pk=job_id).done >= 15,
            60,
            what="the job to make progress",
        )
        stop(first, signal.SIGKILL)
        # PostgreSQL ends the killed worker's session (rolling back its open batch).
        wait_for(
            lambda: not other_database_sessions(),
            30,
            what="the killed worker's database session to end",
        )
        killed = CommitJob.objects.get(pk=job_id)
        assert killed.status == "running" and killed.done < killed.total
        # Nothing moves while no worker runs it: no other session can write to the job.
        assert not other_database_sessions()
        assert CommitJob.objects.get(pk=job_id).done == killed.done
        wait_for(
            lambda: (
                time.time() - CommitJob.objects.get(pk=job_id).heartbeat_at.timestamp()
                > STALE_SECONDS + 0.5
            ),
            30,
            what="the heartbeat to go stale",
        )
        faults.faults_set(actor="tests", latency_ms=0)
        second = start_worker("boi-worker-b")  # resumes stale jobs as it starts
        job = wait_for(
            lambda: CommitJob.objects.filter(pk=job_id, status="succeeded").first(),
            90,
            what="the resumed job to finish",
        )
    finally:
        if first.poll() is None:  # the test failed before killing it
            stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        faults.faults_clear(actor="tests")
    total = len(staff)
    assert (job.done, job.total, job.succeeded, job.failed) == (total, total, total, 0)
    assert job.attempts == 2
    assert api.get("sync/jobs/latest").json()["progress"] == {"done": total, "total": total}
    assert SyncStagedStaff.objects.filter(session_id=sync_id, status="committed").count() == total
    numbers = [s["staffNumber"] for s in staff]
    per_number = dict(
        Person.objects.filter(staff_number__in=numbers)
        .values_list("staff_number")
        .annotate(n=Count("id"))
    )
    assert per_number == dict.fromkeys(numbers, 1)
    hired = Person.objects.filter(staff_number__in=[h["staffNumber"] for h in hires])
    assert Identity.objects.filter(person__in=hired).count() == NEW_STAFF
    assert Employment.objects.filter(person__in=hired).count() == NEW_STAFF
    assert DistrictAssignment.objects.filter(person__in=hired).count() == NEW_STAFF
    updated = Person.objects.filter(staff_number__in=[u["staffNumber"] for u in updates])
    assert set(updated.values_list("work_phone", flat=True)) == {"651-555-0123"}


def test_the_same_worker_started_again_resumes_its_commit_job_at_once(
    client, make_api_client, district, staff_payload, crash_queue
):
    """Its heartbeat would go stale only after five minutes: the worker, started again
    under its name, queues the job again as it starts and the job finishes."""
    api = BoiApi(client, make_api_client(name="HR system"))
    sync_id, staff, _, _ = _validated_sync(api, staff_payload)
    worker = start_worker("boi-worker-c", stale_seconds=300)
    try:
        job_id = api.post(f"sync/{sync_id}/submitCommitJob").json()["jobID"]
        wait_for(lambda: CommitJob.objects.get(pk=job_id).done >= 15, 60, what="progress")
        stop(worker, signal.SIGKILL)
        wait_for(lambda: not other_database_sessions(), 30, what="the killed session to end")
        assert CommitJob.objects.get(pk=job_id).status == "running"
        faults.faults_set(actor="tests", latency_ms=0)
        worker = start_worker("boi-worker-c", stale_seconds=300)
        job = wait_for(
            lambda: CommitJob.objects.filter(pk=job_id, status="succeeded").first(),
            60,
            what="the job resumed at the worker's start to finish",
        )
    finally:
        stop(worker)
        faults.faults_clear(actor="tests")
    assert (job.done, job.succeeded, job.failed, job.attempts) == (len(staff), len(staff), 0, 2)
    assert SyncStagedStaff.objects.filter(session_id=sync_id, status="committed").count() == len(
        staff
    )
