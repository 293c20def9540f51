"""Running one claimed step of a run (the body of ``boi.tasks.run_sync_step``)."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone

from boi.client import client_for
from boi.models import SyncRun
from boi.services.connections import connection_note_failure
from boi.services.errorlog import alert_raise
from boi.services.sync.commit import run_commit
from boi.services.sync.runs import STEP_LABELS, queue_step
from boi.services.sync.start import run_start
from boi.services.sync.transfer import end_transfer, run_transfer
from boi.services.sync.validate import run_validate
from idbridge.audit.services import audit_record
from idbridge.connectors.boi.errors import BoiCredentialsRejected
from idbridge.connectors.types import (
    OutcomeUnknown,
    PermanentCampusError,
    TransientCampusError,
)

log = logging.getLogger(__name__)
CHAIN = {"start": "transfer", "transfer": "end_transfer", "end_transfer": "validate"}


UNKNOWN_OUTCOME = {
    "commit": (
        "Campus may have committed this sync: check Campus's Synchronization tool before "
        "starting again."
    ),
    "start": "Campus may have started a sync session: start the synchronization again.",
    "transfer": "Campus may have received this batch: start the synchronization again.",
    "end_transfer": "Campus may have ended the transfer: start the synchronization again.",
    "validate": "Validate again.",
}


def sync_step_claim(run_id: int, step: str) -> bool:
    return bool(
        SyncRun.objects.filter(id=run_id, job=SyncRun.Job.QUEUED, step=step).update(
            job=SyncRun.Job.RUNNING, step_started_at=timezone.now(), updated_at=timezone.now()
        )
    )


def sync_step_release(run_id: int, step: str, message: str) -> None:
    """A transient failure: back to queued, so the retried task can claim it again."""
    SyncRun.objects.filter(id=run_id, job=SyncRun.Job.RUNNING, step=step).update(
        job=SyncRun.Job.QUEUED, last_error=f"Retrying: {message}"
    )


def sync_step_run(*, run_id: int, step: str) -> SyncRun | None:
    """Run one claimed step. Permanent Campus errors fail the step (and alert); transient
    ones are raised for the task to retry. Returns None when the step was not ours."""
    if not sync_step_claim(run_id, step):
        return None
    run = SyncRun.objects.select_related("connection", "hr_import").get(id=run_id)
    client = client_for(run.connection, run=run)
    started = time.monotonic()
    try:
        if _do(step, run, client, started):
            return run  # the commit job is polled by another task
    except OutcomeUnknown as exc:
        # Campus may have done it: sending it again could commit twice or stage staff twice.
        sync_step_fail(run_id=run_id, step=step, message=f"{exc}. {UNKNOWN_OUTCOME[step]}", exc=exc)
        return run
    except TransientCampusError as exc:
        sync_step_release(run_id, step, str(exc))
        raise
    except PermanentCampusError as exc:
        sync_step_fail(run_id=run_id, step=step, message=str(exc), exc=exc)
        return run
    _step_done(run, step, started)
    return run


STEPS = {
    "start": run_start,
    "transfer": run_transfer,
    "end_transfer": end_transfer,
    "validate": run_validate,
}


def _do(step: str, run: SyncRun, client, started: float) -> bool:
    """Run the step; True when it goes on elsewhere (a commit job, polled by another task)."""
    if step == "commit":
        return run_commit(run, client, started)
    if step not in STEPS:
        raise ValueError(step)
    STEPS[step](run, client)
    return False


def _step_done(run: SyncRun, step: str, started: float) -> None:
    seconds = round(time.monotonic() - started, 3)
    stages = dict(SyncRun.objects.get(id=run.id).stage_seconds)
    stages[step] = round(stages.get(step, 0) + seconds, 3)
    following = CHAIN.get(step)
    with transaction.atomic():
        SyncRun.objects.filter(id=run.id).update(
            job=SyncRun.Job.IDLE, last_error="", stage_seconds=stages
        )
        audit_record(
            actor="boi:sync",
            action=f"boi.sync.{step}_done",
            target=run,
            details={"seconds": seconds, "sync_id": run.sync_id},
        )
        if following:
            queue_step(run, following, "boi:sync")


def sync_step_fail(*, run_id: int, step: str, message: str, exc=None) -> None:
    run = SyncRun.objects.select_related("connection").get(id=run_id)
    if isinstance(exc, BoiCredentialsRejected):
        connection_note_failure(connection=run.connection, exc=exc, actor="boi:sync")
    with transaction.atomic():
        SyncRun.objects.filter(id=run_id).update(job=SyncRun.Job.FAILED, last_error=message)
        audit_record(
            actor="boi:sync",
            action=f"boi.sync.{step}_failed",
            target=run,
            details={"error": message},
        )
        alert_raise(
            run=run,
            level="error",
            title=f"Sync {run.id}: {STEP_LABELS.get(step, step)} failed",
            body=message,
        )
    log.warning("sync step failed", extra={"run": run_id, "step": step, "problem": message})
