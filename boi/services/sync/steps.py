"""Running one step of a run: the body of its job (``boi.tasks.run_sync_step`` →
``idbridge.jobs.services.job_execute``), through a step table."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone

from boi.client import client_for
from boi.jobs import sync_step_of
from boi.models import SyncRun
from boi.services.connections import connection_note_failure
from boi.services.sync.commit import run_commit
from boi.services.sync.runs import queue_step
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
from idbridge.jobs.services import RunningJob, job_cancel, job_execute, job_fail

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


def sync_step_run(*, job_id: int) -> SyncRun | None:
    """Run the step job ``job_id`` (claimed through ``idbridge.jobs``). Permanent Campus
    errors fail the step (and alert); transient ones are raised for the task to retry.
    Returns None when the job was not ours (or no longer the run's)."""
    return job_execute(job_id, _run_step, release_on=(TransientCampusError,))


def _run_step(running: RunningJob) -> SyncRun | None:
    step, run_id = sync_step_of(running.job), running.subject_id
    if not SyncRun.objects.filter(id=run_id, step_job_id=running.id).update(
        job=SyncRun.Job.RUNNING, step=step, step_started_at=timezone.now()
    ):
        job_cancel(running.id)  # the run has moved on to another step since
        return None
    run = SyncRun.objects.select_related("connection", "hr_import").get(id=run_id)
    client = client_for(run.connection, run=run)
    started = time.monotonic()
    try:
        if _do(step, run, client, started, running):
            running.hand_off()  # the commit job is polled by another task
            return run
    except OutcomeUnknown as exc:
        # Campus may have done it: sending it again could commit twice or stage staff twice.
        sync_step_fail(run_id=run_id, step=step, message=f"{exc}. {UNKNOWN_OUTCOME[step]}", exc=exc)
        return run
    except TransientCampusError as exc:
        SyncRun.objects.filter(id=run_id, step_job_id=running.id).update(
            job=SyncRun.Job.QUEUED, last_error=f"Retrying: {exc}"
        )
        raise
    except PermanentCampusError as exc:
        sync_step_fail(run_id=run_id, step=step, message=str(exc), exc=exc)
        return run
    _step_done(run, step, started, running)
    return run


STEPS = {
    "start": run_start,
    "transfer": run_transfer,
    "end_transfer": end_transfer,
    "validate": run_validate,
}


def _do(step: str, run: SyncRun, client, started: float, running: RunningJob) -> bool:
    """Run the step; True when it goes on elsewhere (a commit job, polled by another task)."""
    if step == "commit":
        return run_commit(run, client, started, running)
    if step not in STEPS:
        raise ValueError(step)
    STEPS[step](run, client, running)
    return False


def _step_done(run: SyncRun, step: str, started: float, running: RunningJob) -> None:
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
        running.succeed()
        if following:
            queue_step(run, following, "boi:sync")


def sync_step_fail(*, run_id: int, step: str, message: str, exc=None) -> None:
    """Fail the run's step job: the run, the audit log and an alert say so (the job
    kind's ``on_fail``, ``boi.jobs``)."""
    run = SyncRun.objects.select_related("connection").get(id=run_id)
    if isinstance(exc, BoiCredentialsRejected):
        connection_note_failure(connection=run.connection, exc=exc, actor="boi:sync")
    if run.step_job_id is None or not job_fail(run.step_job_id, message):
        log.warning("no running job to fail", extra={"run": run_id, "step": step})
        return
    log.warning("sync step failed", extra={"run": run_id, "step": step, "problem": message})
