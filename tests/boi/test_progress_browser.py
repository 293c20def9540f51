"""Progress that moves, watched in Chromium while a real worker runs the jobs (PostgreSQL,
Redis, the Campus sandbox on the live server, slowed down by its fault switchboard).

The open page is never reloaded by the test: the sync wizard's step list and its counter
follow Start → Transfer → End transfer → Validate; the commit step counts what Campus's
own commit job reports; *Poll now* fills in the counts and the last poll (in the
district's time zone) in place; and a finished job shows its outcome by itself.
"""

import re

import pytest
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from boi.models import SyncRun
from boi.services.sync.commit import sync_commit_request
from idbridge.jobs.models import Job
from sandbox import faults
from sandbox.services.clients import api_client_create
from staff.models import CampusConnection
from tests.boi.test_integration import sandbox_connection  # noqa: F401
from tests.boi.test_preflight_crash_browser import upload_and_check_in_browser
from tests.boi.test_preflight_worker_kill import boi_queue, start_worker, stop  # noqa: F401
from tests.boi.test_wizard_browser import sign_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STAFF, BATCH = 30, 5
WORKER_ENV = {
    "BOI_TRANSFER_BATCH_SIZE": str(BATCH),  # the console sends 6 batches …
    "CAMPUS_SANDBOX_BOI_BATCH_SIZE": str(BATCH),  # … and Campus commits 6
    "BOI_JOB_POLL_SECONDS": "1",
    "JOBS_PROGRESS_SECONDS": "0.2",
}


@pytest.fixture
def worker(boi_queue):  # noqa: F811
    # Threads: the sandbox's commit job and the console's polls of it run side by side.
    proc = start_worker("boi-progress", env=WORKER_ENV, args=("--pool", "threads", "-c", "4"))
    try:
        yield proc
    finally:
        stop(proc)


def counted(total: int, step: str) -> re.Pattern:
    """The progress line part-way: "10 of 30 staff · Transfer" (neither 0 nor all)."""
    return re.compile(rf"^(?!0 )(?!{total} )[\d,]+ of {total} staff · {step}\b")


def test_the_wizard_and_campus_commit_job_move_on_the_open_page(
    page,
    live_server,
    hr_operator,
    sandbox_connection,  # noqa: F811
    worker,
    settings,
    tmp_path,
):
    settings.BOI_SYNC_COMMIT_MAX_STAFF = 10  # 30 staff: Campus's commit job, polled
    base = live_server.url
    sign_in(page, base)
    upload_and_check_in_browser(page, base, tmp_path, rows=STAFF, name="p.csv")
    faults.faults_set(
        actor="tests", endpoints="boi.sync.transfer,boi.sync.validate", latency_ms=1200
    )
    page.get_by_role("button", name="Start a synchronization").click()
    page.wait_for_url(re.compile(r".*/boi/runs/\d+/$"))
    run_url = page.url
    page.evaluate("window.stillHere = true")
    text = page.locator("#run-status [data-progress-text]")
    wizard = page.locator("#wizard")

    # Transfer: the step list says so, and the counter moves.
    wizard.locator('li.running[data-step="transfer"]').wait_for()
    text.filter(has_text=counted(STAFF, "Transfer")).wait_for()
    assert wizard.locator('li.done[data-step="start"]').count() == 1
    assert wizard.locator('li.waiting[data-step="validate"]').count() == 1
    faults.faults_set(actor="tests", endpoints="boi.sync.validate", latency_ms=4000)
    # Validate (a slow Campus now): transfer done, validate running, same page.
    wizard.locator('li.running[data-step="validate"]').wait_for(timeout=30_000)
    assert wizard.locator('li.done[data-step="transfer"]').count() == 1
    assert wizard.locator('li.done[data-step="end_transfer"]').count() == 1
    assert wizard.locator('[data-step="validate"] [data-step-status]').inner_text() == "running"
    assert "· Validate" in text.inner_text()
    assert page.evaluate("window.stillHere") is True
    # Validated: the page shows the report by itself.
    page.locator("#report-summary").wait_for(timeout=60_000)
    assert page.locator("#run-state").inner_text() == "Validated"
    assert wizard.locator('li.done[data-step="validate"]').count() == 1

    # Commit (the operator's step-up is the wizard test's): Campus's commit job, slowed
    # down per batch, reports its own done / total; the step shows it part-way.
    faults.faults_set(actor="tests", endpoints="boi.commitBatch", latency_ms=1000)
    run = SyncRun.objects.get(hr_import__file_name="p.csv")
    sync_commit_request(run=run, actor=hr_operator, verified_at=None)
    page.goto(run_url)  # where Commit lands
    page.evaluate("window.stillHere = true")
    wizard.locator('li.running[data-step="commit"]').wait_for()
    text.filter(has_text=counted(STAFF, "Commit")).wait_for(timeout=30_000)
    shown = int(text.inner_text().split(" of ")[0])
    assert shown % BATCH == 0  # whole batches: Campus's count, not ours
    assert page.evaluate("window.stillHere") is True
    # Committed: the results appear without a reload by the test.
    page.locator("#results-summary").wait_for(timeout=60_000)
    summary = page.locator("#results-summary").inner_text()
    assert summary.startswith(f"{STAFF} staff succeeded, 0 failed")
    assert wizard.locator('li.done[data-step="commit"]').count() == 1
    job = Job.objects.get(id=SyncRun.objects.get(id=run.id).step_job_id)
    assert (job.state, job.done, job.total) == ("succeeded", STAFF, STAFF)


@pytest.fixture
def rest_connection(sandbox_connection):  # noqa: F811 - the seeded sandbox district
    _, creds = api_client_create(name="idbridge", actor="tests")
    return CampusConnection.objects.create(
        name="Sandbox REST",
        kind="rest",
        token_url=creds["token_url"],
        rostering_base_url=creds["oneroster_base_url"] + "/",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        page_size=5,
    )


def test_poll_now_shows_its_progress_counts_and_last_poll_live_in_the_district_time_zone(
    page, live_server, hr_operator, rest_connection, worker, settings
):
    settings.TIME_ZONE = "America/Chicago"
    faults.faults_set(actor="tests", endpoints="oneroster.users", latency_ms=1500)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/connections/{rest_connection.id}/")
    status = page.locator("#connection-status")
    assert status.locator('[data-field="last_poll_at"]').inner_text() == "—"
    with page.expect_navigation():
        page.get_by_role("button", name="Poll now").click()
    page.evaluate("window.stillHere = true")
    text = status.locator("[data-progress-text]")
    text.filter(has_text=re.compile(r"^[1-9][\d,]* of [\d,]+ persons")).wait_for(timeout=30_000)
    text.filter(has_text="The poll finished.").wait_for(timeout=60_000)
    assert page.evaluate("window.stillHere") is True  # counts and times came in place
    connection = CampusConnection.objects.get(id=rest_connection.id)
    read = connection.last_poll_counts["read"]
    assert read > 0 and status.locator('[data-field="counts"]').inner_text().startswith(
        f"{read} read from Campus"
    )
    shown = status.locator('[data-field="last_poll_at"]').inner_text()
    assert shown == date_format(localtime(connection.last_poll_at), "Y-m-d H:i:s T")
    assert shown.endswith((" CST", " CDT"))
    assert status.locator('[data-field="status"]').inner_text() == "OK"
