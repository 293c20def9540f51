"""A sync run's record: creating it, what blocks it, queueing its steps, its state."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from boi.jobs import SYNC_STEP
from boi.models import BoiConnection, HrImport, HrRow, SyncRun
from boi.rules.sync import SyncState, next_sync_state
from boi.services import ConsoleError
from boi.services.sync.words import count_of
from idbridge.audit.services import audit_record
from idbridge.jobs.services import job_queue

STEP_LABELS = {
    "start": "Start",
    "transfer": "Transfer",
    "end_transfer": "End transfer",
    "validate": "Validate",
    "commit": "Commit",
}


def import_fingerprint(hr_import: HrImport) -> str:
    """The HR data a run sends: the file and which rows are left out."""
    digest = hashlib.sha256(hr_import.sha256.encode())
    excluded = HrRow.objects.filter(hr_import=hr_import, is_excluded=True).order_by("row_number")
    for number in excluded.values_list("row_number", flat=True).iterator(chunk_size=5000):
        digest.update(f",{number}".encode())
    return digest.hexdigest()


def sync_readiness(hr_import: HrImport) -> list[str]:
    """Why this import cannot be synchronized yet (empty: it can)."""
    problems = []
    if not hr_import.is_checked:
        problems.append("The file has not been checked yet.")
        return problems
    if hr_import.connection.is_rejected:
        problems.append("Campus rejected the BOI credentials: update the Client Secret.")
    busy = _busy_run(hr_import.connection)
    if busy:
        problems.append(_busy_words(busy))
    blocking = hr_import.blocking_error_count
    if blocking:
        problems.append(
            f"{count_of(blocking, 'row')} with errors: fix the file or the mapping tables, "
            "or exclude them."
        )
    if not HrRow.objects.filter(hr_import=hr_import, is_excluded=False).exists():
        problems.append("Every row is excluded: there is nothing to send.")
    return problems


def _busy_run(connection: BoiConnection) -> SyncRun | None:
    return SyncRun.objects.filter(
        connection=connection, job__in=(SyncRun.Job.QUEUED, SyncRun.Job.RUNNING)
    ).first()


def _busy_words(run: SyncRun) -> str:
    return f"Sync {run.id} to {run.connection.name} is running: wait until it is done."


def sync_run_create(*, hr_import: HrImport, actor) -> SyncRun:
    """A new run over the import's included rows; its Start job is queued at once."""
    problems = sync_readiness(hr_import)
    if problems:
        raise ConsoleError(" ".join(problems))
    with transaction.atomic():
        # Two operators (or one double click) starting syncs at once: the connection's row
        # is locked, so the second sees the first's run and is refused.
        BoiConnection.objects.select_for_update().filter(id=hr_import.connection_id).first()
        busy = _busy_run(hr_import.connection)
        if busy:
            raise ConsoleError(_busy_words(busy))
        run = SyncRun.objects.create(
            connection=hr_import.connection,
            hr_import=hr_import,
            staff_count=HrRow.objects.filter(hr_import=hr_import, is_excluded=False).count(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="boi.sync.created",
            target=run,
            details={"import": hr_import.id, "staff": run.staff_count},
        )
        queue_step(run, "start", actor)
    return run


def sync_step_queue(*, run: SyncRun, step: str, actor) -> SyncRun:
    """Queue ``start`` (restart from step 1) or ``validate`` (again) for the operator."""
    if step not in ("start", "validate"):
        raise ConsoleError("Only Start and Validate can be asked for directly.")
    if step == "start":
        problems = sync_readiness(run.hr_import)
        if problems:
            raise ConsoleError(" ".join(problems))
    verdict = next_sync_state(SyncState(run.state), step)
    if not isinstance(verdict, SyncState):
        raise ConsoleError(verdict.message)
    if run.state == SyncRun.State.COMMITTED:
        raise ConsoleError("This sync is committed; start a new one from the import.")
    with transaction.atomic():
        queue_step(run, step, actor)
    run.refresh_from_db()
    return run


def queue_step(run: SyncRun, step: str, actor) -> None:
    """Claim the run for ``step`` (idle or failed only) and queue the step's job (its task
    is sent on commit)."""
    claimed = SyncRun.objects.filter(
        id=run.id, job__in=[SyncRun.Job.IDLE, SyncRun.Job.FAILED]
    ).update(
        job=SyncRun.Job.QUEUED,
        step=step,
        last_error="",
        updated_at=timezone.now(),
    )
    if not claimed:
        raise ConsoleError("A step of this sync is already running.")
    job = job_queue(kind=SYNC_STEP + step, subject_id=run.id)
    SyncRun.objects.filter(id=run.id).update(step_job=job)
    run.step_job_id = job.id
    audit_record(actor=actor, action=f"boi.sync.{step}_queued", target=run, details={"job": job.id})


def advance(run: SyncRun, state: str, **fields) -> None:
    SyncRun.objects.filter(id=run.id).update(state=state, **fields)
    run.state = state
