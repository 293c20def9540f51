"""Long jobs (idbridge.jobs) as the console uses them: claim, sweep, failure, retry, and
the one progress shape, on the HR import's pre-flight and row check."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from boi.jobs import CHECK, PREFLIGHT
from boi.models import Alert, ErrorLogEntry, HrImport, HrRow
from boi.models import SyncRun as SyncRunModel
from boi.services.preflight import preflight_queue
from idbridge.jobs.models import Job
from idbridge.jobs.progress import job_progress_info
from idbridge.jobs.rates import rate_samples_keep
from idbridge.jobs.services import (
    JobLost,
    job_cancel,
    job_claim,
    job_execute,
    job_retry,
    job_sweep,
)
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(upload):
    return upload(hr_csv([good_row(n) for n in range(4)]))


@pytest.fixture
def queued_preflight(checked, django_capture_on_commit_callbacks):
    """A pre-flight job queued but not run (its task is captured, not executed)."""
    with django_capture_on_commit_callbacks(execute=False):
        preflight_queue(hr_import=checked, actor="test")
    checked.refresh_from_db()
    return checked.preflight_job


def _age(job: Job, seconds: int) -> None:
    Job.objects.filter(id=job.id).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def test_a_fresh_claim_is_exclusive_and_a_stale_one_is_taken_over(queued_preflight, settings):
    first = job_claim(queued_preflight.id)
    assert first is not None and job_claim(queued_preflight.id) is None  # fresh: held
    _age(queued_preflight, settings.JOBS_STALE_SECONDS + 5)
    second = job_claim(queued_preflight.id)  # its worker is gone: another takes it over
    assert second is not None and second.token != first.token
    assert Job.objects.get(id=queued_preflight.id).attempts == 2
    with pytest.raises(JobLost):
        first.progress(1, total=10)  # the first worker learns it lost the job
    second.progress(1, total=10, step="Addresses in Campus")
    job = Job.objects.get(id=queued_preflight.id)
    assert (job.done, job.total, job.step) == (1, 10, "Addresses in Campus")


def test_progress_is_throttled_to_one_write_per_interval(queued_preflight, settings):
    settings.JOBS_PROGRESS_SECONDS = 3600
    running = job_claim(queued_preflight.id)
    running.progress(0, total=100)  # a new total is always written
    running.progress(40)  # within the interval: not written
    assert Job.objects.get(id=queued_preflight.id).done == 0
    running.progress(50, step="Staff numbers in Campus")  # a new step is written
    assert Job.objects.get(id=queued_preflight.id).done == 50


def test_a_job_that_succeeds_keeps_its_last_progress_however_throttled(queued_preflight, settings):
    # A transfer of 3,000 staff read "2,400 of 3,000" once it had succeeded.
    settings.JOBS_PROGRESS_SECONDS = 3600

    def body(running):
        running.progress(0, total=3000)
        for done in range(600, 3001, 600):
            running.progress(done)  # within the interval: not written
        return True

    assert job_execute(queued_preflight.id, body) is True
    job = Job.objects.get(id=queued_preflight.id)
    assert (job.state, job.done, job.total) == (Job.State.SUCCEEDED, 3000, 3000)


def test_the_sweeper_fails_a_job_whose_worker_stopped_and_says_so(queued_preflight, settings):
    running = job_claim(queued_preflight.id)
    running.progress(1240, total=3000)
    _age(queued_preflight, settings.JOBS_STALE_SECONDS + 1)
    fresh = job_claim(job_queue_for(queued_preflight.subject_id).id)  # another, alive
    assert job_sweep() == [queued_preflight.id]
    job = Job.objects.get(id=queued_preflight.id)
    assert job.state == Job.State.FAILED and not job.claim
    assert job.error == (
        "The worker stopped while looking up addresses and staff in Campus "
        "(last progress 1,240 of 3,000 checks). Retry runs it again."
    )
    assert Job.objects.get(id=fresh.id).state == Job.State.RUNNING
    hr_import = HrImport.objects.get(id=queued_preflight.subject_id)
    assert hr_import.preflight_status == "failed"
    assert hr_import.preflight_summary == {"error": job.error}
    entry = ErrorLogEntry.objects.get(action="JOB")
    assert entry.message == job.error and entry.path.endswith("/preflight")
    assert Alert.objects.get(level="error").title.startswith("Pre-flight of hr.csv failed")
    assert job_sweep() == []  # once


def job_queue_for(import_id: int) -> Job:
    from idbridge.jobs.services import job_queue

    return job_queue(kind=PREFLIGHT, subject_id=import_id)


def test_an_unswept_stale_job_already_reads_as_failed_with_retry(queued_preflight, settings):
    running = job_claim(queued_preflight.id)
    running.progress(3, total=4)
    _age(queued_preflight, settings.JOBS_STALE_SECONDS + 1)
    info = job_progress_info(Job.objects.get(id=queued_preflight.id))
    assert (info["state"], info["busy"]) == ("failed", False)
    assert info["error"].startswith("The worker stopped while")
    assert info["retry_url"] == f"/jobs/{queued_preflight.id}/retry/"


def test_an_exception_in_the_body_fails_the_job_with_a_sentence_not_a_trace(
    queued_preflight, monkeypatch, caplog
):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("boi.services.preflight._addresses", locked)
    from boi.services.preflight import preflight_run

    assert preflight_run(job_id=queued_preflight.id) is None
    job = Job.objects.get(id=queued_preflight.id)
    assert job.state == Job.State.FAILED
    assert job.error == (
        "Pre-flight stopped on an unexpected error (OperationalError) while looking up "
        "addresses and staff in Campus. The details are in the server log. Retry runs it again."
    )
    assert "Traceback" in caplog.text  # the trace goes to the log
    assert HrImport.objects.get(id=job.subject_id).preflight_status == "failed"
    assert ErrorLogEntry.objects.filter(action="JOB", message=job.error).exists()


def test_the_page_offers_retry_and_retry_runs_the_job_to_completion(
    queued_preflight, monkeypatch, client, login, hr_operator, django_capture_on_commit_callbacks
):
    from boi.services.preflight import preflight_run

    with monkeypatch.context() as patch:
        patch.setattr("boi.services.preflight._staff", lambda *a, **k: 1 / 0)
        preflight_run(job_id=queued_preflight.id)
    login(hr_operator)
    page = client.get(f"/boi/imports/{queued_preflight.subject_id}/").content.decode()
    assert "Pre-flight failed." in page and "ZeroDivisionError" in page
    assert f'action="/jobs/{queued_preflight.id}/retry/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{queued_preflight.id}/retry/")
    assert response.status_code == 302
    assert response.url == f"/boi/imports/{queued_preflight.subject_id}/"
    job = Job.objects.get(id=queued_preflight.id)
    assert (job.state, job.attempts, job.error) == (Job.State.SUCCEEDED, 2, "")
    hr_import = HrImport.objects.get(id=job.subject_id)
    assert hr_import.preflight_status == "done"
    assert hr_import.preflight_summary["staff_missing"] == 4
    progress = client.get(f"/jobs/{job.id}/progress/").json()
    assert (progress["state"], progress["words"], progress["retry_url"]) == (
        "succeeded",
        f"{job.total} of {job.total} checks",
        "",
    )


def test_retry_refuses_a_job_that_is_still_running(queued_preflight):
    job_claim(queued_preflight.id)
    assert job_retry(queued_preflight.id) is None


def test_a_cancelled_job_stops_at_its_next_progress_write(queued_preflight):
    def body(running):
        running.progress(1, total=5)
        job_cancel(running.id)
        running.progress(2, step="next")
        raise AssertionError("not reached")

    assert job_execute(queued_preflight.id, body) is None
    assert Job.objects.get(id=queued_preflight.id).state == Job.State.CANCELLED


def test_a_check_whose_worker_stopped_keeps_no_rows_and_can_be_retried(
    checked, settings, django_capture_on_commit_callbacks
):
    job = checked.check_job
    assert (job.kind, job.state, job.unit) == (CHECK, Job.State.SUCCEEDED, "bytes")
    Job.objects.filter(id=job.id).update(state=Job.State.RUNNING, claim="gone")
    HrImport.objects.filter(id=checked.id).update(status=HrImport.Status.CHECKING)
    _age(job, settings.JOBS_STALE_SECONDS + 1)
    assert job_sweep() == [job.id]
    checked.refresh_from_db()
    assert checked.status == HrImport.Status.FAILED
    assert checked.problem.startswith("The worker stopped while checking the HR file's rows")
    assert not HrRow.objects.filter(hr_import=checked).exists()
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job.id)
    checked.refresh_from_db()
    assert (checked.status, checked.row_count) == (HrImport.Status.CHECKED, 4)
    assert Job.objects.get(id=job.id).state == Job.State.SUCCEEDED


def test_the_import_progress_speaks_the_job_shape(checked, client, login, hr_operator):
    login(hr_operator)
    body = client.get(f"/boi/imports/{checked.id}/progress/").json()
    assert body["rows"] == 4 and body["kind"] == CHECK and body["state"] == "succeeded"
    assert body["unit"] == "bytes" and body["busy"] is False
    assert body["words"].endswith("bytes") and body["retry_url"] == ""


@pytest.mark.django_db(transaction=True)
def test_a_body_waiting_on_one_long_call_keeps_beating(settings):
    settings.JOBS_HEARTBEAT_SECONDS = 0.1
    job = Job.objects.create(kind=PREFLIGHT, subject_id=0)

    def body(running):
        claimed_at = Job.objects.get(id=running.id).heartbeat_at
        time.sleep(0.5)  # one long call, no progress written
        return Job.objects.get(id=running.id).heartbeat_at > claimed_at

    assert job_execute(job.id, body) is True
    assert Job.objects.get(id=job.id).state == Job.State.SUCCEEDED


def test_the_sweeper_runs_every_minute_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    assert entry == {"task": "idbridge.jobs.tasks.sweep_jobs", "schedule": 60.0}
    from idbridge.jobs.tasks import sweep_jobs

    assert sweep_jobs.name == entry["task"]


# --- sync steps ----------------------------------------------------------------------------


@pytest.fixture
def validated_run(upload, fake_boi, django_capture_on_commit_callbacks):
    from boi.services.sync.runs import sync_run_create

    hr_import = upload(hr_csv([good_row(n) for n in range(3)]))
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    assert run.state == "validated" and run.step_job.state == Job.State.SUCCEEDED
    return run


def _stop_worker_during(run, step: str, settings):
    """What a worker killed during ``step`` leaves: the run and its job running."""
    from idbridge.jobs.services import job_queue

    job = job_queue(kind=f"boi.sync.{step}", subject_id=run.id)
    SyncRunModel.objects.filter(id=run.id).update(step=step, job="running", step_job=job)
    job_claim(job.id)
    Job.objects.filter(id=job.id).update(done=2, total=3)
    _age(job, settings.JOBS_STALE_SECONDS + 1)
    return job


def test_a_sync_step_whose_worker_stopped_fails_the_run_and_validate_can_be_retried(
    validated_run, settings, client, login, hr_operator, django_capture_on_commit_callbacks
):
    job = _stop_worker_during(validated_run, "validate", settings)
    assert job_sweep() == [job.id]
    validated_run.refresh_from_db()
    assert validated_run.job == SyncRunModel.Job.FAILED
    assert validated_run.last_error.startswith("The worker stopped while reading Campus's")
    assert ErrorLogEntry.objects.get(run=validated_run, action="JOB").path.endswith("/validate")
    assert Alert.objects.filter(run=validated_run, level="error").exists()
    login(hr_operator)
    page = client.get(f"/boi/runs/{validated_run.id}/").content.decode()
    assert "Validate failed." in page and f'action="/jobs/{job.id}/retry/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{job.id}/retry/")
    validated_run.refresh_from_db()
    assert (validated_run.state, validated_run.job) == ("validated", "idle")
    assert Job.objects.get(id=job.id).state == Job.State.SUCCEEDED


def test_a_transfer_that_stopped_is_not_retried_the_operator_starts_again(
    validated_run, settings, client, login, hr_operator
):
    job = _stop_worker_during(validated_run, "transfer", settings)
    job_sweep()
    validated_run.refresh_from_db()
    assert validated_run.last_error == (
        "The worker stopped while sending the staff to Campus (last progress 2 of 3 staff). "
        "Campus may have received this batch: start the synchronization again."
    )
    assert job_retry(job.id) is None
    login(hr_operator)
    assert client.get(f"/boi/runs/{validated_run.id}/progress/").json()["retry_url"] == ""


def test_the_progress_shape_has_words_an_honest_rate_and_time_left():
    now = timezone.now()
    job = Job.objects.create(
        kind=PREFLIGHT,
        subject_id=0,
        state=Job.State.RUNNING,
        unit="rows",
        done=1240,
        total=3000,
        step="Staff numbers in Campus",
        started_at=now - timedelta(hours=1),  # slow at first: the recent rate counts
        rate_done=240,
        rate_at=now - timedelta(seconds=100),
        heartbeat_at=now,
    )
    info = job_progress_info(job)
    assert info["words"] == "1,240 of 3,000 rows" and info["percent"] == 41
    assert (info["rate"], info["eta_seconds"], info["time_left"]) == (10.0, 176, "about 3 min left")
    assert (info["state"], info["busy"], info["step"]) == ("running", True, job.step)
    assert info["error"] == "" and info["retry_url"] == ""


def test_a_job_queued_too_long_has_its_task_sent_again(queued_preflight, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.JOBS_QUEUED_RESEND_SECONDS + 1)
    Job.objects.filter(id=queued_preflight.id).update(created_at=long_ago)
    sent = []
    settings_task = "boi.tasks.run_preflight.delay_on_commit"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings_task, sent.append)
        assert job_sweep() == []
        assert job_sweep() == []  # sent once, not at every sweep
    assert sent == [queued_preflight.id]
    assert Job.objects.get(id=queued_preflight.id).state == Job.State.QUEUED


def test_a_progress_write_that_meets_a_locked_database_is_skipped(queued_preflight, monkeypatch):
    running = job_claim(queued_preflight.id)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("idbridge.jobs.services.job_progress", locked)
    from django.db import connections

    # As in a worker: not inside a transaction (the test's own is set aside meanwhile).
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    running.progress(10)  # skipped, the job goes on
    with pytest.raises(OperationalError):
        running.progress(10, total=20)  # a new total must be written


def test_the_operator_cancels_a_preflight_and_runs_it_again(
    queued_preflight, client, login, hr_operator, django_capture_on_commit_callbacks
):
    login(hr_operator)
    page = client.get(f"/boi/imports/{queued_preflight.subject_id}/").content.decode()
    assert f'action="/jobs/{queued_preflight.id}/cancel/"' in page
    assert client.post(f"/jobs/{queued_preflight.id}/cancel/").status_code == 302
    job = Job.objects.get(id=queued_preflight.id)
    assert job.state == Job.State.CANCELLED
    assert HrImport.objects.get(id=job.subject_id).preflight_status == "cancelled"
    page = client.get(f"/boi/imports/{job.subject_id}/").content.decode()
    assert "Pre-flight was cancelled." in page and "/cancel/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{job.id}/retry/")
    assert HrImport.objects.get(id=job.subject_id).preflight_status == "done"


def test_a_row_check_cannot_be_cancelled(checked, client, login, hr_operator):
    from idbridge.jobs.services import job_queue

    job = job_queue(kind=CHECK, subject_id=checked.id)
    login(hr_operator)
    client.post(f"/jobs/{job.id}/cancel/")
    assert Job.objects.get(id=job.id).state == Job.State.QUEUED


def test_a_commit_job_whose_poller_stopped_is_polled_again_never_submitted_twice(
    validated_run, fake_boi, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from boi.services.sync.commit import sync_commit_request

    settings.BOI_SYNC_COMMIT_MAX_STAFF = 1
    with monkeypatch.context() as patch:  # the poll's message is lost with its worker
        patch.setattr("boi.tasks.poll_commit_job.apply_async_on_commit", lambda *a, **k: None)
        with django_capture_on_commit_callbacks(execute=True):
            sync_commit_request(run=validated_run, actor="test", verified_at=timezone.now())
    validated_run.refresh_from_db()
    job = validated_run.step_job
    assert (validated_run.campus_job_id != "", job.state) == (True, Job.State.RUNNING)
    _age(job, settings.JOBS_STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_sweep() == [job.id]  # resumed, not failed
    validated_run.refresh_from_db()
    assert validated_run.state == "committed" and validated_run.succeeded_count == 3
    submitted = [c for c in fake_boi.calls if c[1].endswith("submitCommitJob")]
    assert len(submitted) == 1
    assert (Job.objects.get(id=job.id).state, Job.objects.get(id=job.id).attempts) == (
        Job.State.SUCCEEDED,
        2,
    )
    assert not Alert.objects.filter(run=validated_run, level="error").exists()


T0 = datetime(2026, 12, 3, 18, 0, 0, tzinfo=UTC)


def _samples(*seconds_done):
    return [(T0 + timedelta(seconds=s), d) for s, d in seconds_done]


SAMPLES = _samples((0, 0), (5, 50), (9, 60), (12, 70), (30, 90))


@pytest.mark.parametrize(
    ("samples", "now", "window_start", "then"),
    [
        # Younger than the window: every sample, from the first.
        (_samples((0, 0), (1, 5), (2, 10)), 3, (0, 0), 2),
        # Older: the window starts 20 s back, between the two samples around that time.
        (SAMPLES, 31, (11, 67), 2),
        (SAMPLES, 40, (20, 79), 1),
        (SAMPLES, 25, (5, 50), 3),
        # A pause longer than the window: it starts at the last sample before the pause.
        (_samples((0, 0), (100, 10)), 130, (100, 10), 0),
    ],
)
def test_the_rate_window_starts_its_width_back(samples, now, window_start, then):
    kept = rate_samples_keep(samples, T0 + timedelta(seconds=now), 20)
    start_at, start_done = window_start
    assert kept[0] == (T0 + timedelta(seconds=start_at), start_done)
    assert kept[1:] == samples[len(samples) - then :]


def test_the_rate_window_moves_on_when_each_write_is_a_new_task():
    """A commit job's poller knows only the stored window start and the last write; the
    window start still moves up with every look."""
    stored = (T0, 0)
    for look in range(1, 8):  # one look every 5 s at a job doing 10 a second
        last = (T0 + timedelta(seconds=5 * (look - 1)), 50 * (look - 1))
        now = T0 + timedelta(seconds=5 * look)
        stored = rate_samples_keep([stored, last] if look > 1 else [stored], now, 20)[0]
    assert stored == (T0 + timedelta(seconds=15), 150)  # 20 s back from the 7th look


def test_time_left_follows_the_recent_rate_not_the_first_seconds(queued_preflight, settings):
    """Fast at first (600 checks at once), then one check every 0.15 s: the rate shown is
    the recent one, about 6.7 per second, not the average since the start."""
    settings.JOBS_PROGRESS_SECONDS = 0
    settings.JOBS_RATE_WINDOW_SECONDS = 1
    running = job_claim(queued_preflight.id)
    running.progress(0, total=3000)
    running.progress(600)
    for done in range(601, 612):
        time.sleep(0.15)  # the pace of a slow Campus, not a wait for something
        running.progress(done)
    info = job_progress_info(Job.objects.get(id=queued_preflight.id))
    job = Job.objects.get(id=queued_preflight.id)
    assert job.done - job.rate_done < 15  # the window holds the slow checks only
    assert 0.5 < info["rate"] < 15, info["rate"]
    assert info["eta_seconds"] == round((3000 - 611) / info["rate"])
    assert info["time_left"].endswith("min left")


def test_the_run_progress_carries_the_wizard_step_list(validated_run, client, login, hr_operator):
    login(hr_operator)
    steps = client.get(f"/boi/runs/{validated_run.id}/progress/").json()["steps"]
    assert [(s["label"], s["status"]) for s in steps] == [
        ("Start", "done"),
        ("Transfer", "done"),
        ("End transfer", "done"),
        ("Validate", "done"),
        ("Commit", "waiting"),
    ]
    # Restarted from Start: Start runs, what follows waits to be done again.
    SyncRunModel.objects.filter(id=validated_run.id).update(step="start", job="running")
    steps = client.get(f"/boi/runs/{validated_run.id}/progress/").json()
    assert [s["status"] for s in steps["steps"]] == ["running"] + ["waiting"] * 4
    assert steps["step"] == "Start"


def test_a_job_that_moved_nothing_lately_shows_no_time_left():
    now = timezone.now()
    job = Job.objects.create(
        kind=PREFLIGHT,
        subject_id=0,
        state=Job.State.RUNNING,
        unit="checks",
        done=1240,
        total=3000,
        started_at=now - timedelta(minutes=5),  # 4 a second on average, but …
        rate_done=1240,  # … nothing since the window's start
        rate_at=now - timedelta(seconds=20),
        heartbeat_at=now,
    )
    info = job_progress_info(job)
    assert (info["rate"], info["rate_words"], info["time_left"]) == (None, "", "")
    assert info["words"] == "1,240 of 3,000 checks" and info["busy"] is True
