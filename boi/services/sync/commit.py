"""Commit: the operator's request (after a fresh step-up), Campus's synchronous commit, and
recording the outcome of either kind of commit."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from boi.models import SyncRun, SyncStaff
from boi.rules.sync import SyncState, next_sync_state
from boi.services import ConsoleError
from boi.services.errorlog import alert_raise
from boi.services.sync.runs import import_fingerprint, queue_step
from boi.services.sync.words import error_in_words, outcome_words
from boi.tasks import poll_commit_job
from idbridge.audit.services import audit_record
from idbridge.db import rows_update
from idbridge.jobs.services import RunningJob


def commit_api_for(staff_count: int) -> str:
    return "commit" if staff_count <= settings.BOI_SYNC_COMMIT_MAX_STAFF else "commitJob"


def sync_commit_request(*, run: SyncRun, actor, verified_at) -> SyncRun:
    """Queue the commit. The caller has checked the operator's fresh step-up
    (``stepup.gates.fresh_check_decision``); ``verified_at`` is recorded in the audit log."""
    verdict = next_sync_state(SyncState(run.state), "commit")
    if not isinstance(verdict, SyncState):
        raise ConsoleError(verdict.message)
    if run.hr_fingerprint != import_fingerprint(run.hr_import):
        raise ConsoleError(
            "The HR data changed since it was transferred (rows excluded or included): "
            "restart the sync from Start."
        )
    with transaction.atomic():
        mode = commit_api_for(run.staff_count)
        SyncRun.objects.filter(id=run.id).update(
            committed_by=actor if getattr(actor, "is_authenticated", False) else None,
            commit_requested_at=timezone.now(),
            commit_mode=mode,
        )
        audit_record(
            actor=actor,
            action="boi.sync.commit_requested",
            target=run,
            details={
                "staff": run.staff_count,
                "api": mode,
                "step_up_verified_at": verified_at.isoformat() if verified_at else None,
                "sync_id": run.sync_id,
            },
        )
        queue_step(run, "commit", actor)
    run.refresh_from_db()
    return run


def run_commit(run: SyncRun, client, started: float, running: RunningJob) -> bool:
    """Commit; True when a commit job was submitted (then polled), False when done here."""
    if run.commit_mode == "commitJob":
        if not run.campus_job_id:  # submitted once per sync, never again
            job_id = client.sync_submit_commit_job(run.sync_id)
            SyncRun.objects.filter(id=run.id).update(campus_job_id=job_id)
            running.progress(0, total=run.staff_count)
        poll_commit_job.apply_async_on_commit((run.id,), countdown=settings.BOI_JOB_POLL_SECONDS)
        return True
    running.progress(0, total=run.staff_count)
    result = client.sync_commit(run.sync_id)
    record_outcomes(run, result.succeeded, result.failed)
    running.progress(run.staff_count, total=run.staff_count)
    finish_commit(run, started, {"succeeded": len(result.succeeded), "failed": len(result.failed)})
    return False


def record_outcomes(run: SyncRun, succeeded: list[str], failed: list[dict]) -> None:
    for start in range(0, len(succeeded), 1000):
        SyncStaff.objects.filter(run=run, staff_number__in=succeeded[start : start + 1000]).update(
            outcome=SyncStaff.Outcome.SUCCEEDED
        )
    errors_of = {}
    for item in failed:
        errors = item.get("errors") if isinstance(item.get("errors"), list) else [item]
        errors_of[str(item.get("staffNumber") or "")] = [
            {"field": "", "message": error_in_words(e if isinstance(e, dict) else {"message": e})}
            for e in errors
        ]
    numbers = list(errors_of)
    for start in range(0, len(numbers), 1000):  # one executemany per chunk, not a row each
        entries = list(
            SyncStaff.objects.filter(run=run, staff_number__in=numbers[start : start + 1000])
        )
        for entry in entries:
            entry.outcome, entry.outcome_errors = (
                SyncStaff.Outcome.FAILED,
                errors_of[entry.staff_number],
            )
        rows_update(SyncStaff, entries, ["outcome", "outcome_errors"])


def finish_commit(
    run: SyncRun, started: float | None, details: dict, counts: tuple[int, int] | None = None
) -> None:
    staff = SyncStaff.objects.filter(run=run)
    succeeded = staff.filter(outcome=SyncStaff.Outcome.SUCCEEDED).count()
    refused = staff.filter(outcome=SyncStaff.Outcome.REFUSED).count()
    failed = staff.filter(outcome=SyncStaff.Outcome.FAILED).count() + refused
    if counts is not None:
        succeeded, failed = counts[0], counts[1] + refused
    stages = dict(SyncRun.objects.get(id=run.id).stage_seconds)
    if started is not None:
        stages["commit"] = round(time.monotonic() - started, 3)
    elif run.step_started_at:
        stages["commit"] = round((timezone.now() - run.step_started_at).total_seconds(), 3)
    with transaction.atomic():
        SyncRun.objects.filter(id=run.id).update(
            state=SyncRun.State.COMMITTED,
            job=SyncRun.Job.IDLE,
            committed_at=timezone.now(),
            succeeded_count=succeeded,
            failed_count=failed,
            stage_seconds=stages,
            last_error="",
        )
        audit_record(
            actor="boi:sync",
            action="boi.sync.committed",
            target=run,
            details={**details, "succeeded": succeeded, "failed": failed, "api": run.commit_mode},
        )
        title = f"Sync {run.id} committed: {_outcome_words(run, succeeded, failed)}"
        body = f"HR file {run.hr_import.file_name}; {run.staff_count} staff sent."
        if refused:
            body += (
                f" Campus refused {refused} staff at transfer (named on the sync's results"
                " page, each with its HR row and reason); the others went through."
            )
        if counts is not None and failed:
            body += (
                " Campus's commit job reports counts only: which staff failed is in Campus's"
                " Business Office Error Log."
            )
        alert_raise(run=run, level="error" if failed else "success", title=title, body=body)


def _outcome_words(run: SyncRun, succeeded: int, failed: int) -> str:
    """ "3 staff added, 52 updated, 1 unchanged, 1 failed": the staff that went through,
    by what the validate report said Campus would do with each."""
    done = SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.SUCCEEDED)
    actions = dict(done.values_list("action").annotate(n=Count("id")).order_by())
    if sum(actions.values()) != succeeded:  # the commit job's counts only
        return outcome_words(either=succeeded, failed=failed)
    return outcome_words(
        added=actions.get("add", 0),
        updated=succeeded - actions.get("add", 0) - actions.get("unchanged", 0),
        unchanged=actions.get("unchanged", 0),
        failed=failed,
    )
