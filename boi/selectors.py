"""Reads of the Business Office console, and the numbers its progress bars show."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from boi.models import Alert, BoiConnection, ErrorLogEntry, HrImport, HrRow, SyncRun, SyncStaff


def connection_list():
    return BoiConnection.objects.order_by("name")


def import_list(connection: BoiConnection | None = None):
    imports = HrImport.objects.select_related("connection", "uploaded_by")
    return imports.filter(connection=connection) if connection else imports


def run_list():
    return SyncRun.objects.select_related("hr_import", "connection")


def alerts_open():
    return Alert.objects.filter(dismissed_at__isnull=True).select_related("run")[:20]


def row_list(hr_import: HrImport, *, show: str = "errors", q: str = ""):
    rows = HrRow.objects.filter(hr_import=hr_import)
    if show == "errors":
        rows = rows.filter(has_errors=True)
    elif show == "excluded":
        rows = rows.filter(is_excluded=True)
    elif show == "good":
        rows = rows.filter(has_errors=False)
    if q:
        rows = rows.filter(
            Q(staff_number__iexact=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q)
        )
    return rows.order_by("row_number")


def report_list(run: SyncRun, *, action: str = "", q: str = "", outcome: str = ""):
    staff = SyncStaff.objects.filter(run=run).select_related("row")
    if action == "conflicts":
        staff = staff.filter(has_conflict=True)
    elif action:
        staff = staff.filter(action=action)
    if outcome:
        staff = staff.filter(outcome=outcome)
    if q:
        staff = staff.filter(Q(staff_number__iexact=q) | Q(name__icontains=q))
    return staff.order_by("staff_number")


def error_log_list(*, action="", q="", since: datetime | None = None, run_id: int | None = None):
    entries = ErrorLogEntry.objects.select_related("run")
    if action:
        entries = entries.filter(action=action)
    if q:
        entries = entries.filter(Q(path__icontains=q) | Q(message__icontains=q))
    if since:
        entries = entries.filter(at__gte=since)
    if run_id:
        entries = entries.filter(run_id=run_id)
    return entries


def progress_info(done: int, total: int | None, started_at: datetime | None) -> dict:
    """done / total, rate per second and seconds left, for the progress bars."""
    rate = eta = None
    if started_at and done:
        elapsed = max((timezone.now() - started_at).total_seconds(), 0.001)
        rate = done / elapsed
        if total:
            eta = max(total - done, 0) / rate
    return {
        "done": done,
        "total": total,
        "rate": round(rate, 1) if rate else None,
        "eta_seconds": round(eta) if eta is not None else None,
        "percent": round(100 * done / total) if total else None,
    }


def run_progress(run: SyncRun) -> dict:
    from boi.services.sync.runs import STEP_LABELS

    return {
        "state": run.state,
        "state_label": run.get_state_display(),
        "step": run.step,
        "step_label": STEP_LABELS.get(run.step, run.step),
        "job": run.job,
        "busy": run.is_busy,
        "last_error": run.last_error,
        "succeeded": run.succeeded_count,
        "failed": run.failed_count,
        **progress_info(run.progress_done, run.progress_total, run.step_started_at),
    }


def import_progress(hr_import: HrImport) -> dict:
    busy = hr_import.status in (HrImport.Status.QUEUED, HrImport.Status.CHECKING)
    pre_busy = hr_import.preflight_status in ("queued", "running")
    return {
        "status": hr_import.status,
        "status_label": hr_import.get_status_display(),
        "busy": busy or pre_busy,
        "rows": hr_import.row_count,
        "problem": hr_import.problem,
        **(
            progress_info(
                hr_import.preflight_done, hr_import.preflight_total, hr_import.preflight_started_at
            )
            if pre_busy and not busy
            else progress_info(
                hr_import.progress_done, hr_import.progress_total, hr_import.started_at
            )
        ),
        "unit": "checks" if pre_busy and not busy else "bytes",
    }


def run_outcomes_per_staff(run: SyncRun) -> bool:
    """Does the committed run know each staff member's outcome? Not when Campus's commit job
    reported counts only and some failed: which ones is in Campus's Business Office Error
    Log (the BOI API does not say)."""
    return not SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.PENDING).exists()
