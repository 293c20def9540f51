"""The console's long jobs (``idbridge.jobs``): the HR file's row check and its pre-flight.

Each kind says which task runs it, which page shows it, and what a failure means for the
import: its own status, an Error Log entry and a dashboard alert (e-mailed), so a job whose
worker died is never silent. The sync steps and the commit job's polling still keep their
state on ``SyncRun`` (``job``, ``progress_*``); their page speaks the same progress shape.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from boi.models import HrImport, HrRow
from idbridge.jobs.kinds import JobKind, job_kind_register

CHECK = "boi.import_check"
PREFLIGHT = "boi.preflight"


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


def _preflight_retried(job) -> None:
    HrImport.objects.filter(id=job.subject_id, preflight_job_id=job.id).update(
        preflight_status="queued", preflight_summary={}
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
            **common,
        )
    )
