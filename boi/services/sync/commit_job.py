"""Campus's commit job (large syncs): polled until it is finished."""

from __future__ import annotations

from boi.client import client_for
from boi.models import SyncRun, SyncStaff
from boi.services.sync.commit import finish_commit, record_outcomes
from boi.services.sync.steps import sync_step_fail
from idbridge.connectors.boi.types import JobStatus
from idbridge.connectors.types import PermanentCampusError
from idbridge.jobs.services import JobLost, job_resume


def sync_commit_job_poll(*, run_id: int) -> bool:
    """One look at the commit job; True when it is finished (or failed)."""
    run = SyncRun.objects.select_related("connection", "hr_import").get(id=run_id)
    if run.job != SyncRun.Job.RUNNING or run.step != "commit" or not run.campus_job_id:
        return True
    # The commit step's job, handed over by the step: each look is its heartbeat.
    running = job_resume(run.step_job_id) if run.step_job_id else None
    try:
        if running is None:
            raise JobLost(run.step_job_id)
        running.heartbeat()
    except JobLost:
        return True  # failed (its poller stopped for too long) or cancelled: stop looking
    try:
        status = client_for(run.connection, run=run).sync_job_latest()
    except PermanentCampusError as exc:
        sync_step_fail(run_id=run_id, step="commit", message=str(exc), exc=exc)
        return True
    if status is None:
        return False
    if status.job_id and status.job_id != run.campus_job_id:
        return False  # "latest" is not ours yet (or another job started): look again
    SyncRun.objects.filter(id=run_id).update(campus_job_status=status.raw)
    # Campus's own count of the commit job (its done / total), as it goes.
    total = status.total if status.total is not None else run.staff_count
    running.progress(status.done or 0, total=total)
    if status.is_failed:
        message = f"Campus's commit job {status.job_id} failed: {status.raw.get('message', '')}"
        sync_step_fail(run_id=run_id, step="commit", message=message.strip(": "))
        return True
    if status.is_finished:
        _record_results(run, status)
        running.progress(run.staff_count, total=run.staff_count)
        running.succeed()
    return status.is_finished


def _record_results(run: SyncRun, status: JobStatus) -> None:
    """The finished job's outcome per staff member, or its counts when that is all it says."""
    details = {"job_id": status.job_id, "counts": status.counts}
    failed = [f for f in status.raw.get("failed") or [] if isinstance(f, dict)]
    succeeded = status.raw.get("succeeded")
    counted_failures = int((status.counts or {}).get("failed") or 0)
    if not isinstance(succeeded, list) and counted_failures and not failed:
        # The job reports counts only (the guide: its results are not returned).
        failed = _flagged_by_validate(run, counted_failures)
        if not failed:  # which staff failed is in Campus's Business Office Error Log
            counts = (int(status.counts.get("succeeded") or 0), counted_failures)
            finish_commit(run, None, details, counts=counts)
            return
        details["failures_named_by"] = "validate report"
    if not isinstance(succeeded, list):  # the job reports counts only, and no failure
        failed_numbers = {str(f.get("staffNumber")) for f in failed}
        succeeded = list(
            SyncStaff.objects.filter(run=run)
            .exclude(staff_number__in=failed_numbers)
            .exclude(outcome=SyncStaff.Outcome.REFUSED)
            .values_list("staff_number", flat=True)
        )
    record_outcomes(run, [str(s) for s in succeeded], failed)
    finish_commit(run, None, details)


def _flagged_by_validate(run: SyncRun, failures: int) -> list[dict]:
    """The staff the commit job failed, when the validate report names them: Campus's
    commit refuses the staff its validate report gave errors or conflicts, so when as many
    staff were flagged as the job counts failures, those are they (with the report's
    reasons). Empty when the numbers differ (Campus data changed since validating)."""
    flagged = SyncStaff.objects.filter(
        run=run, has_conflict=True, outcome=SyncStaff.Outcome.PENDING
    ).only("staff_number", "report")
    if flagged.count() != failures:
        return []
    return [
        {
            "staffNumber": item.staff_number,
            "errors": [
                e if isinstance(e, dict) else {"message": str(e)}
                for e in [*(item.report.get("errors") or []), *(item.report.get("conflicts") or [])]
            ]
            or [{"message": "Campus's validate report flagged this staff member"}],
        }
        for item in flagged
    ]
