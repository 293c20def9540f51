"""A sync's Transfer whose worker is SIGKILLed fails visibly, and starting again sends
every staff member to Campus exactly once (real worker, PostgreSQL, Redis, the Campus
sandbox on the live server).

The worker sends the staff in small batches to the sandbox, slowed down; the test kills
it mid-transfer, lets the heartbeat go stale, runs the sweeper, and checks what the HR
operator sees: "failed", a sentence saying where it stopped and that Campus may have
received the batch, no Retry (the product's rule for a transfer: start the
synchronization again), an Error Log entry and an alert. A fresh worker then runs the
sync again from Start; it is validated and committed, and Campus holds each staff member
once, as the HR file has them.
"""

import signal
import time
from collections import Counter

import pytest

from boi.models import Alert, ErrorLogEntry, SyncRun, SyncStaff
from boi.samples import sample_csv, sample_rows
from idbridge.jobs.models import Job
from idbridge.jobs.services import job_sweep
from sandbox import faults
from sandbox.models import SyncSession, SyncStagedStaff
from tests.boi.test_integration import (  # noqa: F401 - sandbox_connection is a fixture
    assert_campus_holds,
    commit_and_wait,
    expected_staff,
    sandbox_connection,
    upload_and_check,
)
from tests.boi.test_preflight_worker_kill import (  # noqa: F401 - boi_queue is a fixture
    boi_queue,
    other_database_sessions,
    start_worker,
    stop,
)
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STALE_SECONDS = 3
ROWS, BATCH, SEED = 40, 5, 11
WORKER_ENV = {"BOI_TRANSFER_BATCH_SIZE": str(BATCH)}


def _settled(run_id: int):
    run = SyncRun.objects.get(id=run_id)
    if run.job == SyncRun.Job.FAILED or (run.state == "validated" and run.job == "idle"):
        return run
    return None


def test_a_killed_workers_transfer_fails_and_starting_again_sends_each_staff_once(
    client,
    login,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture imported above
    boi_queue,  # noqa: F811 - the fixture imported above
    settings,
):
    settings.JOBS_STALE_SECONDS = STALE_SECONDS
    login(hr_operator)
    first = start_worker("boi-transfer-a", env=WORKER_ENV)
    second = None
    try:
        hr_import = upload_and_check(
            client, sandbox_connection, sample_csv(ROWS, seed=SEED), "t.csv"
        )
        faults.faults_set(actor="tests", endpoints="boi.sync.transfer", latency_ms=300)
        response = client.post(f"/boi/imports/{hr_import.id}/sync/")
        assert response.status_code == 302 and "/boi/runs/" in response.url
        run = SyncRun.objects.get(hr_import=hr_import)
        job = wait_for(
            lambda: Job.objects.filter(
                kind="boi.sync.transfer", subject_id=run.id, done__gte=2 * BATCH
            ).first(),
            90,
            what="the transfer's progress",
        )
        stop(first, signal.SIGKILL)
        wait_for(lambda: not other_database_sessions(), 30, what="the worker's session to end")
        killed = Job.objects.get(id=job.id)
        assert killed.state == Job.State.RUNNING and killed.done < killed.total == ROWS
        killed_sync = SyncRun.objects.get(id=run.id).sync_id
        wait_for(
            lambda: (
                time.time() - Job.objects.get(id=job.id).heartbeat_at.timestamp()
                > STALE_SECONDS + 0.5
            ),
            30,
            what="the heartbeat to go stale",
        )
        assert job_sweep() == [job.id]
        _assert_failed_start_again(client, run, Job.objects.get(id=job.id), killed)

        faults.faults_set(actor="tests", latency_ms=0)
        second = start_worker("boi-transfer-b", env=WORKER_ENV)
        response = client.post(f"/boi/runs/{run.id}/step/start/")
        assert response.status_code == 302 and response.url == f"/boi/runs/{run.id}/"
        run = wait_for(lambda: _settled(run.id), 120, what="the sync to be validated again")
        assert run.job != SyncRun.Job.FAILED, f"{run.step}: {run.last_error}"
        _assert_sent_once(run, killed_sync)
        run = commit_and_wait(client, hr_operator, run, step_up_needed=True)
    finally:
        if first.poll() is None:
            stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        faults.faults_clear(actor="tests")
    assert (run.succeeded_count, run.failed_count) == (ROWS, 0)
    expected = {r["staff_number"]: expected_staff(r) for r in sample_rows(ROWS, seed=SEED)}
    assert_campus_holds(expected, identities=dict.fromkeys(expected, 1))
    assert Job.objects.get(id=job.id).state == Job.State.FAILED  # the stopped one stays so


def _assert_failed_start_again(client, run, job, killed):
    words = f"{killed.done:,} of {killed.total:,} staff"
    assert job.state == Job.State.FAILED
    assert job.error == (
        f"The worker stopped while sending the staff to Campus (last progress {words}). "
        "Campus may have received this batch: start the synchronization again."
    )
    run.refresh_from_db()
    assert (run.job, run.last_error) == (SyncRun.Job.FAILED, job.error)
    progress = client.get(f"/boi/runs/{run.id}/progress/").json()
    assert (progress["job_state"], progress["busy"], progress["retry_url"]) == ("failed", False, "")
    steps = {s["step"]: s["status"] for s in progress["steps"]}
    assert (steps["start"], steps["transfer"], steps["validate"]) == ("done", "failed", "waiting")
    page = client.get(f"/boi/runs/{run.id}/").content.decode()
    assert "Transfer failed." in page and words in page
    assert "/retry/" not in page  # a transfer is not retried …
    assert f'action="/boi/runs/{run.id}/step/start/"' in page  # … the operator starts again
    entry = ErrorLogEntry.objects.get(run=run, action="JOB")
    assert (entry.path, entry.message) == (f"runs/{run.id}/transfer", job.error)
    alert = Alert.objects.get(run=run, level="error")
    assert (alert.title, alert.body) == (f"Sync {run.id}: Transfer failed", job.error)


def _assert_sent_once(run, killed_sync):
    """The new Campus session holds each staff member once; the killed one is gone."""
    assert run.sync_id != killed_sync
    numbers = Counter(SyncStaff.objects.filter(run=run).values_list("staff_number", flat=True))
    assert len(numbers) == ROWS and set(numbers.values()) == {1}
    staged = Counter(
        SyncStagedStaff.objects.filter(session_id=run.sync_id).values_list(
            "staff_number", flat=True
        )
    )
    assert staged == numbers
    assert SyncSession.objects.get(pk=killed_sync).status == "cancelled"
    assert not SyncStagedStaff.objects.filter(session_id=killed_sync).exists()
    assert run.report_summary["add"] == ROWS and run.report_summary["error"] == 0
