"""A pre-flight whose worker died, replayed in Chromium at a smaller size: a worker
SIGKILLed mid-pre-flight leaves a page that ends in "failed — Retry" by itself, and Retry
(with a live worker) completes the pre-flight on the same page.

Real processes throughout: the HR operator uploads and checks a file in the browser, a
Celery worker (PostgreSQL, Redis) checks it and runs the pre-flight against the Campus
sandbox on the live server, slowed down; the test SIGKILLs that worker mid-pre-flight. A
worker started afterwards runs beat with a short sweeper period, as a restarted worker
would; the open page learns of the failure from the job's progress (its heartbeat went
stale) without a reload, and the sweeper records it (Error Log, alert).
"""

import signal
import time

import pytest

from boi.models import Alert, ErrorLogEntry, HrImport
from boi.samples import sample_csv
from idbridge.jobs.models import Job
from sandbox import faults
from tests.boi.test_integration import sandbox_connection  # noqa: F401
from tests.boi.test_preflight_worker_kill import boi_queue, start_worker, stop  # noqa: F401
from tests.boi.test_wizard_browser import sign_in
from tests.conftest import ROOT, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STALE_SECONDS, SWEEP_SECONDS = 3, 2
ROWS = 40
# The sweeper's settings, for the restarted worker and its beat.
SWEEPER = {"JOBS_STALE_SECONDS": str(STALE_SECONDS), "JOBS_SWEEP_SECONDS": str(SWEEP_SECONDS)}


def upload_and_check_in_browser(page, base, tmp_path, rows=ROWS, name="k.csv") -> HrImport:
    """Upload a sample HR file and check it, in the browser (a worker runs the check)."""
    page.goto(f"{base}/boi/")
    page.get_by_role("link", name="Import an HR file").click()
    path = tmp_path / name
    path.write_bytes(sample_csv(rows, seed=3))
    page.get_by_label("HR export").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Check the rows").click()
    # The worker checks the rows; the page reloads by itself once the check is done.
    page.locator("#preflight").wait_for(timeout=90_000)
    return HrImport.objects.get(file_name=name)


def test_a_preflight_whose_worker_is_killed_ends_failed_with_retry_and_retry_completes(
    page,
    live_server,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture imported above
    boi_queue,  # noqa: F811
    settings,
    tmp_path,
):
    settings.JOBS_STALE_SECONDS = STALE_SECONDS  # the live server's view of a dead worker
    base = live_server.url
    first = start_worker("boi-preflight-browser-a")
    second = None
    try:
        sign_in(page, base)
        hr_import = upload_and_check_in_browser(page, base, tmp_path)
        faults.faults_set(actor="tests", endpoints="boi.addresses,boi.staff", latency_ms=300)
        page.get_by_role("button", name="Pre-flight: addresses and staff in Campus").click()
        status = page.locator("#preflight-status")
        status.locator("[data-progress-text]", has_text="checks").wait_for()
        job = HrImport.objects.get(id=hr_import.id).preflight_job
        wait_for(lambda: Job.objects.get(id=job.id).done >= 10, 90, what="pre-flight progress")

        stop(first, signal.SIGKILL)
        killed_at = time.monotonic()
        killed = Job.objects.get(id=job.id)
        assert killed.state == Job.State.RUNNING and 0 < killed.done < killed.total
        second = start_worker(
            "boi-preflight-browser-b",
            env=SWEEPER,
            args=("--pool", "solo", "-B", "--schedule", str(ROOT / "var" / "test-crash-beat")),
        )

        # No reload by the test: the page turns to "failed — Retry" on its own.
        failed = status.locator(".job-failed")
        failed.wait_for(timeout=(STALE_SECONDS + SWEEP_SECONDS + 15) * 1000)
        print(f"page showed the failure {time.monotonic() - killed_at:.1f} s after the kill")
        words = f"(last progress {killed.done:,} of {killed.total:,} checks)"
        assert "Pre-flight failed." in failed.inner_text() and words in failed.inner_text()
        assert status.locator("[data-progress-text]").inner_text() == ""
        assert page.get_by_text("Pre-flight running").count() == 0
        # The sweeper (beat on the restarted worker) recorded it: job, Error Log, alert.
        swept = wait_for(
            lambda: Job.objects.filter(id=job.id, state=Job.State.FAILED).first(),
            STALE_SECONDS + SWEEP_SECONDS + 30,
            what="the sweeper to fail the job",
        )
        assert words in swept.error and swept.error.endswith("Retry runs it again.")
        assert ErrorLogEntry.objects.filter(action="JOB", message=swept.error).exists()
        assert Alert.objects.filter(level="error", title__startswith="Pre-flight of k.csv").exists()

        faults.faults_set(actor="tests", latency_ms=0)
        failed.get_by_role("button", name="Retry").click()
        page.locator("#preflight-summary").wait_for(timeout=120_000)
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        faults.faults_clear(actor="tests")
    done = Job.objects.get(id=job.id)
    assert (done.state, done.error, done.attempts, done.done) == ("succeeded", "", 2, done.total)
    assert page.locator(".job-failed").count() == 0
    assert page.get_by_role("button", name="Retry").count() == 0
