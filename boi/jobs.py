"""The console's long jobs (``idbridge.jobs``): the HR file's row check, its pre-flight,
and each step of a sync (start, transfer, end transfer, validate, commit).

Each kind says which task runs it, which page shows it, and what a failure means for the
console's records: the import's or the run's own status, an Error Log entry or the run's
alert (e-mailed), so a job whose worker died is never silent.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from boi.models import ErrorLogEntry, HrImport, HrRow, SyncRun
from idbridge.jobs.kinds import JobKind, job_kind_register

CHECK = "boi.import_check"
PREFLIGHT = "boi.preflight"
SYNC_STEP = "boi.sync."  # + the step: boi.sync.transfer
SYNC_DOING = {
    "start": "starting a sync session in Campus",
    "transfer": "sending the staff to Campus",
    "end_transfer": "ending the transfer",
    "validate": "reading Campus's validate report",
    "commit": "committing the sync in Campus",
}


def _import_page(job) -> str:
    return reverse("boi:import", args=[job.subject_id])


def _record(hr_import: HrImport | None, what: str, path: str, message: str) -> None:
    from boi.services.errorlog import job_failure_record

    if hr_import is not None:
        job_failure_record(
            connection=hr_import.connection,
            what=f"{what} of {hr_import.file_name}",
            path=f"imports/{hr_import.id}/{path}",
            message=message,
        )


def _check_failed(job) -> None:
    """The check stopped half-way: its rows go (a failed check keeps nothing)."""
    hr_import = HrImport.objects.select_related("connection").filter(id=job.subject_id).first()
    HrRow.objects.filter(hr_import_id=job.subject_id).delete()
    HrImport.objects.filter(id=job.subject_id, check_job_id=job.id).update(
        status=HrImport.Status.FAILED,
        problem=job.error,
        finished_at=timezone.now(),
        row_count=0,
        error_row_count=0,
    )
    _record(hr_import, "Row check", "check", job.error)


def _check_retried(job) -> None:
    HrImport.objects.filter(id=job.subject_id, check_job_id=job.id).update(
        status=HrImport.Status.QUEUED, problem=""
    )


def _preflight_failed(job) -> None:
    hr_import = HrImport.objects.select_related("connection").filter(id=job.subject_id).first()
    HrImport.objects.filter(id=job.subject_id, preflight_job_id=job.id).update(
        preflight_status="failed", preflight_summary={"error": job.error}
    )
    _record(hr_import, "Pre-flight", "preflight", job.error)


def _preflight_cancelled(job) -> None:
    HrImport.objects.filter(id=job.subject_id, preflight_job_id=job.id).update(
        preflight_status="cancelled"
    )


def _preflight_retried(job) -> None:
    HrImport.objects.filter(id=job.subject_id, preflight_job_id=job.id).update(
        preflight_status="queued", preflight_summary={}
    )


def sync_step_of(job) -> str:
    return job.kind.removeprefix(SYNC_STEP)


def _run_page(job) -> str:
    return reverse("boi:run", args=[job.subject_id])


def _step_failed(job) -> None:
    """The run shows the step failed, in the audit log and as an alert (e-mailed)."""
    from boi.services.errorlog import alert_raise
    from boi.services.sync.runs import STEP_LABELS
    from idbridge.audit.services import audit_record

    step = sync_step_of(job)
    run = SyncRun.objects.filter(id=job.subject_id).first()
    if run is None:
        return
    SyncRun.objects.filter(id=run.id, step_job_id=job.id).update(
        job=SyncRun.Job.FAILED, last_error=job.error
    )
    audit_record(
        actor="boi:sync", action=f"boi.sync.{step}_failed", target=run, details={"error": job.error}
    )
    title = f"Sync {run.id}: {STEP_LABELS.get(step, step)} failed"
    alert_raise(run=run, level="error", title=title, body=job.error)
    since = job.started_at or job.created_at
    if not ErrorLogEntry.objects.filter(run=run, at__gte=since).exists():
        # Not a failed Campus call (those are logged by the client): the worker stopped,
        # or the step met an unexpected error.
        ErrorLogEntry.objects.create(
            connection_id=run.connection_id,
            run=run,
            action="JOB",
            path=f"runs/{run.id}/{step}",
            message=job.error,
            permanent=False,
        )


def _commit_job_submitted(job) -> bool:
    """A commit whose Campus commit job was submitted only needs polling again (a read):
    its step resumes on another worker; a synchronous commit may have been done."""
    return (
        SyncRun.objects.filter(id=job.subject_id, commit_mode="commitJob")
        .exclude(campus_job_id="")
        .exists()
    )


def _step_retried(job) -> None:
    SyncRun.objects.filter(id=job.subject_id, step_job_id=job.id).update(
        job=SyncRun.Job.QUEUED, step=sync_step_of(job), last_error="", updated_at=timezone.now()
    )


def _register_sync_steps() -> None:
    """Start and validate may simply run again; a transfer, end transfer or commit that
    stopped half-way may have been done by Campus: the operator starts again instead."""
    from boi.services.sync.runs import STEP_LABELS
    from boi.services.sync.steps import UNKNOWN_OUTCOME
    from boi.tasks import run_sync_step

    for step, doing in SYNC_DOING.items():
        retryable = step in ("start", "validate")
        job_kind_register(
            JobKind(
                name=SYNC_STEP + step,
                label=STEP_LABELS[step],
                doing=doing,
                unit="staff",
                task=run_sync_step,
                page_url=_run_page,
                view_permission="core.view_boi",
                manage_permission="core.manage_boi",
                on_fail=_step_failed,
                on_retry=_step_retried,
                retryable=retryable,
                resumable=_commit_job_submitted if step == "commit" else False,
                after_stop="Retry runs it again." if retryable else UNKNOWN_OUTCOME[step],
            )
        )


def register() -> None:
    from boi.tasks import check_import, run_preflight

    common = {
        "page_url": _import_page,
        "view_permission": "core.view_boi",
        "manage_permission": "core.manage_boi",
    }
    job_kind_register(
        JobKind(
            name=CHECK,
            label="The row check",
            doing="checking the HR file's rows",
            unit="bytes",
            task=check_import,
            on_fail=_check_failed,
            on_retry=_check_retried,
            **common,
        )
    )
    job_kind_register(
        JobKind(
            name=PREFLIGHT,
            label="Pre-flight",
            doing="looking up addresses and staff in Campus",
            unit="checks",
            task=run_preflight,
            on_fail=_preflight_failed,
            on_retry=_preflight_retried,
            cancellable=True,  # it only reads Campus
            on_cancel=_preflight_cancelled,
            **common,
        )
    )
    _register_sync_steps()
