"""Every kind of long job (``idbridge.jobs``), as registered by the apps when Django sets
them up, fails in words when its body raises something unexpected.

For each registered kind the test queues a job of that kind the way the product does
(its task run in-process), with the body the kind's task runs made to raise, and checks
what the operator gets: the job failed with a sentence (no trace, nothing of the
exception's own text), the kind's page saying so, the app's own record of the failure
(the console's Error Log entry and alert, a connection's last error), and Retry exactly
where the kind allows it. A kind registered without a case here fails the test: add one.
"""

from __future__ import annotations

import pytest
from django.utils.html import escape

from boi.jobs import SYNC_DOING
from boi.models import Alert, ErrorLogEntry, HrImport, SyncRun
from idbridge.jobs.kinds import job_kind, job_kinds
from idbridge.jobs.models import Job
from staff.models import CampusConnection
from tests.boi.conftest import (  # noqa: F401 - fixtures
    boi_connection,
    fake_boi,
    good_row,
    hr_csv,
    ready_connection,
    upload,
)
from tests.staff.conftest import connection  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

# What an exception's own text might carry: none of it may reach the operator.
INSIDE = "{'ssn': '123-45-6789'} at 0x7f3a"


class Unexpected(RuntimeError):
    pass


def _raise(*args, **kwargs):
    raise Unexpected(INSIDE)


# --- one case per kind: the body to break, and how the product queues a job of it ---------


def _checked(request) -> HrImport:
    return request.getfixturevalue("upload")(hr_csv([good_row(n) for n in range(3)]))


def _import_check(request, monkeypatch, run_on_commit) -> Job:
    monkeypatch.setattr("boi.services.import_check._check", _raise)
    return _checked(request).check_job  # the upload's check runs (and breaks) at once


def _preflight(request, monkeypatch, run_on_commit) -> Job:
    from boi.services.preflight import preflight_queue

    hr_import = _checked(request)
    monkeypatch.setattr("boi.services.preflight._preflight", _raise)
    with run_on_commit():
        preflight_queue(hr_import=hr_import, actor="test")
    return HrImport.objects.get(id=hr_import.id).preflight_job


def _sync_step(step: str):
    def queue(request, monkeypatch, run_on_commit) -> Job:
        from boi.services.sync.runs import queue_step

        hr_import = _checked(request)
        run = SyncRun.objects.create(
            connection=hr_import.connection, hr_import=hr_import, staff_count=3
        )
        monkeypatch.setattr("boi.services.sync.steps._do", _raise)
        with run_on_commit():
            queue_step(run, step, "test")
        return SyncRun.objects.get(id=run.id).step_job

    return queue


def _poll(full: bool, accept_shrink: bool):
    def queue(request, monkeypatch, run_on_commit) -> Job:
        from staff import polling

        campus = request.getfixturevalue("connection")
        monkeypatch.setattr("staff.polling.poll_run", _raise)
        with run_on_commit():
            return polling.poll_queue(
                connection_id=campus.id, full=full, accept_shrink=accept_shrink
            )

    return queue


def _wave(request, monkeypatch, run_on_commit) -> Job:
    from staff.services.existing import Scope
    from staff.services.waves import wave_create
    from tests.staff.test_baseline import at_school, baseline

    baseline(request.getfixturevalue("connection"), [at_school(n, "101") for n in (1, 2)])
    monkeypatch.setattr("staff.services.waves.wave_step", _raise)
    with run_on_commit():
        wave = wave_create(scope=Scope(), pace_per_hour=None, actor="test")
    return wave.job


def _chain_check(request, monkeypatch, run_on_commit) -> Job:
    from idbridge.audit.jobs import chain_check_queue

    monkeypatch.setattr("idbridge.audit.services.audit_verify", _raise)
    with run_on_commit():
        job = chain_check_queue(actor=request.getfixturevalue("auditor"))
    return job


CASES = {
    "audit.verify": _chain_check,
    "boi.import_check": _import_check,
    "boi.preflight": _preflight,
    **{f"boi.sync.{s}": _sync_step(s) for s in SYNC_DOING},
    "staff.poll": _poll(False, False),
    "staff.poll.full": _poll(True, False),
    "staff.poll.accept_shrink": _poll(True, True),
    "staff.wave": _wave,
}


# --- what the product records besides the job, per app -------------------------------------


def _console_records(job: Job) -> None:
    """The console's Error Log has the failure, and an alert (e-mailed) says so."""
    entry = ErrorLogEntry.objects.get(action="JOB")
    assert entry.message == job.error
    alert = Alert.objects.get(level="error")
    assert alert.body == job.error and alert.title.endswith("failed")
    if job.kind.startswith("boi.sync."):
        run = SyncRun.objects.get(id=job.subject_id)
        assert (entry.run_id, alert.run_id) == (run.id, run.id)
        assert (run.job, run.last_error) == (SyncRun.Job.FAILED, job.error)
    elif job.kind == "boi.import_check":
        hr_import = HrImport.objects.get(id=job.subject_id)
        assert (hr_import.status, hr_import.problem) == ("failed", job.error)
    else:
        assert HrImport.objects.get(id=job.subject_id).preflight_status == "failed"


def _connection_records(job: Job) -> None:
    """A poll's connection shows the error (the connections list and page)."""
    campus = CampusConnection.objects.get(id=job.subject_id)
    assert (campus.status, campus.last_error) == (CampusConnection.Status.ERROR, job.error)


def _page_only(job: Job) -> None:
    """An invitation wave or a chain check keeps no record of its own: its page shows the
    job's failure."""


RECORDS = {
    "audit.": _page_only,
    "boi.": _console_records,
    "staff.poll": _connection_records,
    "staff.wave": _page_only,
}


def test_every_registered_kind_has_a_case_here():
    names = {kind.name for kind in job_kinds()}
    assert {"boi.preflight", "staff.poll", "staff.wave"} <= names  # both apps registered
    assert names == set(CASES), "a job kind without a case in tests/test_job_kinds.py"


@pytest.mark.parametrize("name", sorted(kind.name for kind in job_kinds()))
def test_an_unexpected_error_in_any_kind_of_job_fails_it_in_words_with_its_retry(
    name,
    request,
    monkeypatch,
    caplog,
    client,
    district_admin,
    django_capture_on_commit_callbacks,
):
    if name not in CASES:
        pytest.fail(f"no case for the job kind {name!r}: add one to CASES")
    spec = job_kind(name)

    def run_on_commit():
        return django_capture_on_commit_callbacks(execute=True)

    job = Job.objects.get(id=CASES[name](request, monkeypatch, run_on_commit).id)
    assert (job.kind, job.state, job.claim, job.attempts) == (name, Job.State.FAILED, "", 1)
    assert job.finished_at is not None
    assert job.error == (
        f"{spec.label} stopped on an unexpected error (Unexpected) while {spec.doing}. "
        f"The details are in the server log. {spec.after_stop}"
    )
    for leak in ("ssn", "6789", "0x7f3a", "{", "Traceback", "\n", "Unexpected("):
        assert leak not in job.error
    assert "Traceback" in caplog.text and INSIDE in caplog.text  # the details: the log only

    [records] = [check for prefix, check in RECORDS.items() if name.startswith(prefix)]
    records(job)

    client.force_login(district_admin)
    info = client.get(f"/jobs/{job.id}/progress/").json()
    assert (info["state"], info["busy"], info["error"]) == ("failed", False, job.error)
    retry_url = f"/jobs/{job.id}/retry/"
    assert info["retry_url"] == (retry_url if spec.retryable else "")
    page = client.get(spec.page_url(job)).content.decode()
    assert f"{spec.label} failed." in page and escape(job.error) in page
    assert (f'action="{retry_url}"' in page) == spec.retryable

    with django_capture_on_commit_callbacks(execute=False) as sent:
        client.post(retry_url)
    job.refresh_from_db()
    if spec.retryable:  # queued again, its task sent once the retry commits
        assert (job.state, job.error, len(sent)) == (Job.State.QUEUED, "", 1)
    else:  # the operator starts again instead (said in the error): nothing is sent
        assert (job.state, len(sent)) == (Job.State.FAILED, 0)
        assert "start" in spec.after_stop.lower()
