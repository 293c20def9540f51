"""The synchronization wizard: start → transfer → end transfer → validate → commit → results.

Each step is one Celery job (``boi.tasks.run_sync_step``) claimed with a conditional
UPDATE on the run (``job``: queued → running), so a step never runs twice at once and a
closed browser loses nothing: the run's state, step and progress live in the database.
Steps follow Campus's session rules (``boi.rules.sync.next_sync_state``): start is always
allowed (changed HR data means starting again), validate may be repeated (Campus data
changed), commit needs a validated run, a fresh step-up of the operator and HR data
unchanged since the transfer.

Start chains transfer, end transfer and validate, then waits for the operator. The
commit uses Campus's synchronous commit up to ``BOI_SYNC_COMMIT_MAX_STAFF`` staff (it
returns per-staff results) and the commit job above that, whose status is polled
(``sync/jobs/latest``) by ``boi.tasks.poll_commit_job`` until it is done.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from boi.client import client_for
from boi.models import AddressCheck, HrImport, HrRow, SyncRun, SyncStaff
from boi.rules.addresses import COMPONENT_FIELDS
from boi.rules.sync import SyncState, next_sync_state
from boi.services import ConsoleError
from boi.services.connections import connection_note_failure
from boi.services.errorlog import alert_raise
from boi.tasks import poll_commit_job, run_sync_step
from idbridge.audit.services import audit_record
from idbridge.connectors.boi import REPORT_ENTRY_KEYS, BoiCredentialsRejected, BoiRefused
from idbridge.connectors.types import (
    CampusError,
    OutcomeUnknown,
    PermanentCampusError,
    TransientCampusError,
)
from idbridge.db import rows_update

log = logging.getLogger(__name__)
CHAIN = {"start": "transfer", "transfer": "end_transfer", "end_transfer": "validate"}
STEP_LABELS = {
    "start": "Start",
    "transfer": "Transfer",
    "end_transfer": "End transfer",
    "validate": "Validate",
    "commit": "Commit",
}


# --- creating a run and queueing steps -----------------------------------------------------


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
    blocking = hr_import.blocking_error_count
    if blocking:
        problems.append(
            f"{blocking} row(s) have errors: fix the file, the mapping tables, or exclude them."
        )
    if not HrRow.objects.filter(hr_import=hr_import, is_excluded=False).exists():
        problems.append("Every row is excluded: nothing to send.")
    return problems


def sync_run_create(*, hr_import: HrImport, actor) -> SyncRun:
    """A new run over the import's included rows; its Start job is queued at once."""
    problems = sync_readiness(hr_import)
    if problems:
        raise ConsoleError(" ".join(problems))
    with transaction.atomic():
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
        _queue(run, "start", actor)
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
        _queue(run, step, actor)
    run.refresh_from_db()
    return run


def _queue(run: SyncRun, step: str, actor) -> None:
    """Claim the run for ``step`` (idle or failed only) and enqueue it on commit."""
    claimed = SyncRun.objects.filter(
        id=run.id, job__in=[SyncRun.Job.IDLE, SyncRun.Job.FAILED]
    ).update(
        job=SyncRun.Job.QUEUED,
        step=step,
        progress_done=0,
        progress_total=None,
        last_error="",
        updated_at=timezone.now(),
    )
    if not claimed:
        raise ConsoleError("A step of this sync is already running.")
    audit_record(actor=actor, action=f"boi.sync.{step}_queued", target=run, details={})
    run_sync_step.delay_on_commit(run.id, step)


# --- commit (needs a fresh step-up) -----------------------------------------------------------


def commit_api_for(staff_count: int) -> str:
    return "commit" if staff_count <= settings.BOI_SYNC_COMMIT_MAX_STAFF else "commitJob"


def sync_commit_request(*, run: SyncRun, actor, verified_at) -> SyncRun:
    """Queue the commit. The caller has checked the operator's fresh step-up
    (``boi.stepup.commit_verification``); ``verified_at`` is recorded in the audit log."""
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
        _queue(run, "commit", actor)
    run.refresh_from_db()
    return run


# --- running a step (the task body) ----------------------------------------------------------


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
        if step == "start":
            _start(run, client)
        elif step == "transfer":
            _transfer(run, client)
        elif step == "end_transfer":
            client.sync_end_transfer(run.sync_id)
            _advance(run, SyncRun.State.TRANSFER_ENDED)
        elif step == "validate":
            _validate(run, client)
        elif step == "commit":
            if _commit(run, client, started):
                return run  # the commit job is polled by another task
        else:
            raise ValueError(step)
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
            _queue(run, following, "boi:sync")


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


def _advance(run: SyncRun, state: str, **fields) -> None:
    SyncRun.objects.filter(id=run.id).update(state=state, **fields)
    run.state = state


def _start(run: SyncRun, client) -> None:
    sync_id = client.sync_start()
    with transaction.atomic():
        SyncStaff.objects.filter(run=run).delete()
        _advance(
            run,
            SyncRun.State.TRANSFERRING,
            sync_id=sync_id,
            transferred_upto=0,
            hr_fingerprint="",
            report_summary={},
            validated_at=None,
            staff_count=HrRow.objects.filter(hr_import=run.hr_import, is_excluded=False).count(),
        )
    run.sync_id = sync_id
    run.transferred_upto = 0


# --- transfer -------------------------------------------------------------------------------


def campus_addresses(hr_import: HrImport) -> dict[str, dict]:
    """Address key → the components to send: Campus's own address when pre-flight found
    one, else the normalized components (one spelling for every variant in the file)."""
    chosen: dict[str, dict] = {}
    for key, components, campus in AddressCheck.objects.filter(hr_import=hr_import).values_list(
        "key", "components", "campus_address"
    ):
        source = campus if campus else components
        chosen[key] = {
            k: v for k, v in source.items() if k in COMPONENT_FIELDS and v not in ("", None, False)
        }
    return chosen


def staff_for_campus(row: HrRow, addresses: dict[str, dict], *, household_allowed: bool) -> dict:
    """The staff object sent to Campus for an HR row (SSN revealed only here): its address
    is Campus's own when pre-flight found one, else the row's normalized components."""
    payload = row.staff_payload()
    if not household_allowed:
        payload.pop("household", None)
        return payload
    components = addresses.get(row.address_key) or row.address_components
    if row.address_key and payload.get("household") and components:
        payload["household"] = {"householdLocations": [{"address": dict(components)}]}
    return payload


def _included_rows(run: SyncRun, after: int, size: int) -> Iterator[list[HrRow]]:
    """The rows to send, ``size`` at a time, after row number ``after``.

    Keyset pages, each read whole: no cursor stays open while a batch goes to Campus and
    its progress is written (on SQLite an open read would pin a snapshot, and the write
    after it fails as soon as another process has written meanwhile)."""
    rows = HrRow.objects.filter(hr_import=run.hr_import, is_excluded=False).order_by("row_number")
    while True:
        page = list(rows.filter(row_number__gt=after)[:size])
        if not page:
            return
        yield page
        after = page[-1].row_number


def _transfer(run: SyncRun, client) -> None:
    total = run.staff_count
    done = HrRow.objects.filter(
        hr_import=run.hr_import, is_excluded=False, row_number__lte=run.transferred_upto
    ).count()
    SyncRun.objects.filter(id=run.id).update(progress_total=total, progress_done=done)
    addresses = campus_addresses(run.hr_import)
    household_allowed = run.connection.household_allowed
    for batch in _included_rows(run, run.transferred_upto, settings.BOI_TRANSFER_BATCH_SIZE):
        staff = [staff_for_campus(r, addresses, household_allowed=household_allowed) for r in batch]
        client.sync_transfer(run.sync_id, staff)
        del staff
        done += len(batch)
        with transaction.atomic():
            SyncStaff.objects.bulk_create(
                [
                    SyncStaff(
                        run=run, row=r, staff_number=r.staff_number, name=r.display_name[:200]
                    )
                    for r in batch
                ]
            )
            SyncRun.objects.filter(id=run.id).update(
                transferred_upto=batch[-1].row_number, progress_done=done
            )
    _advance(run, SyncRun.State.TRANSFERRING, hr_fingerprint=import_fingerprint(run.hr_import))


# --- validate ---------------------------------------------------------------------------------

VALIDATE_CHUNK = 1000


def entry_action(entry: dict) -> str:
    action = str(entry.get("action") or entry.get("type") or "").lower()
    if entry.get("errors") or entry.get("conflicts") or action in ("error", "conflict"):
        return "error"
    if action in ("add", "create", "new"):
        return "add"
    return "update" if action in ("update", "change", "changed") else (action or "update")


LISTED = 500  # of each district-wide list (staff to add, addresses to add …), kept to show


def report_summary(members: dict, lists: dict[str, tuple[int, list]], actions: Counter) -> dict:
    """Counts and the district-wide lists of the validate report (not the per-staff part):
    ``members`` are the report's other members, ``lists`` its other arrays as (length,
    first ``LISTED`` items), ``actions`` the entries' actions."""
    summary: dict = {"staff": sum(actions.values()), **actions}
    for key, value in members.items():
        if key == "summary" and isinstance(value, dict):
            summary.update({k: v for k, v in value.items() if not isinstance(v, list | dict)})
        elif isinstance(value, list):
            summary[f"{key}_count"] = len(value)
            summary[key] = value[:LISTED]
        elif isinstance(value, dict | int | float | str | bool):
            summary[key] = value
    for key, (count, first) in lists.items():
        summary[f"{key}_count"] = count
        summary[key] = first
    return summary


def _validate(run: SyncRun, client) -> None:
    """Campus's report, read as it arrives and stored per staff member ``VALIDATE_CHUNK``
    entries at a time: memory follows the chunk, not the sync."""
    SyncStaff.objects.filter(run=run).update(report={}, action="", has_conflict=False)
    SyncRun.objects.filter(id=run.id).update(progress_total=run.staff_count, progress_done=0)
    members: dict = {}
    actions: Counter = Counter()
    pending: dict[str, dict] = {}
    done = 0

    def store(entries: dict[str, dict]) -> None:
        nonlocal done
        items = list(
            SyncStaff.objects.filter(run=run, staff_number__in=list(entries)).only(
                "id", "staff_number"
            )
        )
        for item in items:
            item.report = entries[item.staff_number]
            item.action = entry_action(item.report)
            item.has_conflict = item.action == "error"
        rows_update(SyncStaff, items, ["report", "action", "has_conflict"])
        done += len(entries)
        SyncRun.objects.filter(id=run.id).update(progress_done=done)

    lists: dict[str, tuple[int, list]] = {}
    # Every array of the report is read element by element: the per-staff entries, and the
    # district-wide lists (staff to add, addresses to add) that grow with the sync too.
    for key, value, is_element in client.sync_validate_members(
        run.sync_id, stream=lambda key: True
    ):
        if not is_element:
            members[key] = value
        elif key not in REPORT_ENTRY_KEYS:
            count, first = lists.get(key, (0, []))
            if count < LISTED:
                first.append(value)
            lists[key] = (count + 1, first)
        elif isinstance(value, dict):
            actions[entry_action(value)] += 1
            pending[str(value.get("staffNumber") or "")] = value
            if len(pending) >= VALIDATE_CHUNK:
                store(pending)
                pending = {}
    if pending:
        store(pending)
    _advance(
        run,
        SyncRun.State.VALIDATED,
        report_summary=report_summary(members, lists, actions),
        validated_at=timezone.now(),
        progress_done=done,
    )


# --- commit -------------------------------------------------------------------------------------


def _commit(run: SyncRun, client, started: float) -> bool:
    """Commit; True when a commit job was submitted (then polled), False when done here."""
    if run.commit_mode == "commitJob":
        job_id = client.sync_submit_commit_job(run.sync_id)
        SyncRun.objects.filter(id=run.id).update(
            campus_job_id=job_id, progress_total=run.staff_count, progress_done=0
        )
        poll_commit_job.apply_async_on_commit((run.id,), countdown=settings.BOI_JOB_POLL_SECONDS)
        return True
    SyncRun.objects.filter(id=run.id).update(progress_total=run.staff_count, progress_done=0)
    result = client.sync_commit(run.sync_id)
    _record_outcomes(run, result.succeeded, result.failed)
    _finish_commit(run, started, {"succeeded": len(result.succeeded), "failed": len(result.failed)})
    return False


def _record_outcomes(run: SyncRun, succeeded: list[str], failed: list[dict]) -> None:
    for start in range(0, len(succeeded), 1000):
        SyncStaff.objects.filter(run=run, staff_number__in=succeeded[start : start + 1000]).update(
            outcome=SyncStaff.Outcome.SUCCEEDED
        )
    errors_of = {}
    for item in failed:
        errors = item.get("errors") if isinstance(item.get("errors"), list) else [item]
        errors_of[str(item.get("staffNumber") or "")] = errors
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


def _finish_commit(
    run: SyncRun, started: float | None, details: dict, counts: tuple[int, int] | None = None
) -> None:
    succeeded = SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.SUCCEEDED).count()
    failed = SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.FAILED).count()
    if counts is not None:
        succeeded, failed = counts
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
            progress_done=F("staff_count"),
            stage_seconds=stages,
            last_error="",
        )
        audit_record(
            actor="boi:sync",
            action="boi.sync.committed",
            target=run,
            details={**details, "succeeded": succeeded, "failed": failed, "api": run.commit_mode},
        )
        title = f"Sync {run.id} committed: {succeeded} staff updated in Campus"
        if failed:
            title += f", {failed} failed"
        body = f"HR file {run.hr_import.file_name}; {run.staff_count} staff sent."
        if counts is not None and failed:
            body += (
                " Campus's commit job reports counts only: which staff failed is in Campus's"
                " Business Office Error Log."
            )
        alert_raise(run=run, level="error" if failed else "success", title=title, body=body)


def sync_commit_job_poll(*, run_id: int) -> bool:
    """One look at the commit job; True when it is finished (or failed)."""
    run = SyncRun.objects.select_related("connection", "hr_import").get(id=run_id)
    if run.job != SyncRun.Job.RUNNING or run.step != "commit" or not run.campus_job_id:
        return True
    client = client_for(run.connection, run=run)
    try:
        status = client.sync_job_latest()
    except PermanentCampusError as exc:
        sync_step_fail(run_id=run_id, step="commit", message=str(exc), exc=exc)
        return True
    if status is None:
        return False
    SyncRun.objects.filter(id=run_id).update(
        campus_job_status=status.raw,
        progress_done=status.done if status.done is not None else 0,
        progress_total=status.total if status.total is not None else run.staff_count,
    )
    if status.job_id and status.job_id != run.campus_job_id:
        return False  # "latest" is not ours yet (or another job started): look again
    if status.is_failed:
        message = f"Campus's commit job {status.job_id} failed: {status.raw.get('message', '')}"
        sync_step_fail(run_id=run_id, step="commit", message=message.strip(": "))
        return True
    if not status.is_finished:
        return False
    failed = [f for f in status.raw.get("failed") or [] if isinstance(f, dict)]
    failed_numbers = {str(f.get("staffNumber")) for f in failed}
    succeeded = status.raw.get("succeeded")
    counted_failures = int((status.counts or {}).get("failed") or 0)
    if not isinstance(succeeded, list) and counted_failures and not failed:
        # The job reports counts only: which staff failed is in Campus's error log.
        _finish_commit(
            run,
            None,
            {"job_id": status.job_id, "counts": status.counts},
            counts=(int(status.counts.get("succeeded") or 0), counted_failures),
        )
        return True
    if not isinstance(succeeded, list):  # the job reports counts only, and no failure
        succeeded = list(
            SyncStaff.objects.filter(run=run)
            .exclude(staff_number__in=failed_numbers)
            .values_list("staff_number", flat=True)
        )
    _record_outcomes(run, [str(s) for s in succeeded], failed)
    _finish_commit(run, None, {"job_id": status.job_id, "counts": status.counts})
    return True


__all__ = [
    "BoiRefused",
    "CampusError",
    "sync_commit_request",
    "sync_run_create",
    "sync_step_queue",
    "sync_step_run",
]
