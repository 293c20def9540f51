"""Committing a sync's staged rows, batch by batch, each batch in one transaction with its
markers; the synchronous commit (at most 500 staff)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from boi.rules.sync import COMMIT_JOB_THRESHOLD
from idbridge.audit.services import audit_record
from idbridge.db import rows_update
from sandbox.boi.apply import Applied, Writer
from sandbox.boi.context import lookups_load
from sandbox.boi.errorlog import error_log_entry, error_message
from sandbox.boi.errors import error
from sandbox.boi.notifications import notify
from sandbox.boi.preferences import preferences_get
from sandbox.boi.sync.session import (
    BASE_PATH,
    BatchPlan,
    Status,
    batch_size,
    check_step,
    complete_group,
    session_locked,
)
from sandbox.models import (
    BoiErrorLogEntry,
    BoiNotification,
    CommitJob,
    SyncSession,
    SyncStagedStaff,
)

log = logging.getLogger(__name__)
# Staff committed per transaction, whatever the batch validate walks: planning and writing a
# batch holds the database's one write lock on SQLite (0.2 CPU-seconds per 100 staff).
COMMIT_BATCH_MAX = 50


def pending_rows(session: SyncSession):
    return SyncStagedStaff.objects.filter(session=session, status=SyncStagedStaff.Status.PENDING)


def _next_pending(session: SyncSession, size: int) -> list[int]:
    qs = pending_rows(session)
    rows = list(qs.order_by("staff_number", "id").only("id", "staff_number")[:size])
    return [row.pk for row in complete_group(qs, rows)]


class CommitOutcome:
    def __init__(self):
        self.succeeded: list[dict] = []
        self.failed: list[dict] = []
        self.keep_details = True

    def add(self, row: SyncStagedStaff, action: str = ""):
        if not self.keep_details:
            return
        if row.status == SyncStagedStaff.Status.COMMITTED:
            self.succeeded.append(
                {"staffNumber": row.staff_number, "personID": row.person_id, "action": action}
            )
        else:
            self.failed.append({"staffNumber": row.staff_number, "errors": row.errors or []})


@dataclass
class _Commit:
    """What every batch of one commit shares: where failures are logged as coming from,
    the job whose progress it advances (if any), and the outcome it adds to."""

    session: SyncSession
    household_allowed: bool
    method: str
    path: str
    job_id: int | None
    outcome: CommitOutcome

    def progress(self, *, done: int, succeeded: int, failed: int, now) -> None:
        if self.job_id is not None:
            CommitJob.objects.filter(pk=self.job_id).update(
                done=F("done") + done,
                succeeded=F("succeeded") + succeeded,
                failed=F("failed") + failed,
                heartbeat_at=now,
            )


def _pending_locked(row_ids: list[int]) -> list[SyncStagedStaff]:
    return list(
        SyncStagedStaff.objects.select_for_update()
        .filter(pk__in=row_ids, status=SyncStagedStaff.Status.PENDING)
        .order_by("staff_number", "id")
    )


def _row_refused(commit: _Commit, row: SyncStagedStaff, payload, entry) -> BoiErrorLogEntry:
    """Mark a row the rules refuse as failed; its (unsaved) error log entry."""
    row.status = SyncStagedStaff.Status.FAILED
    row.errors = [e.as_dict() for e in entry.errors]
    return error_log_entry(
        method=commit.method,
        path=commit.path,
        status=0,
        message=f"staff {row.staff_number}: {error_message(row.errors)}",
        payload=payload,
        staff_number=row.staff_number,
        session_id=commit.session.pk,
    )


def _rows_write(commit: _Commit, rows: list[SyncStagedStaff], lookups, now):
    """Plan and write the rows' staff; (what was applied by row id, the error log entries
    of the rows refused)."""
    today = timezone.localdate(now)
    plan = BatchPlan(rows, lookups, commit.household_allowed, today)
    writer = Writer(lookups=lookups, addresses=plan.index, now=now, today=today)
    applied: dict[int, Applied] = {}
    failures: list[BoiErrorLogEntry] = []
    for row, payload, entry in zip(rows, plan.payloads, plan.entries, strict=True):
        if entry.action == "error":
            failures.append(_row_refused(commit, row, payload, entry))
            continue
        applied[row.pk] = writer.stage(entry, payload, plan.people.get(entry.person_id))
        row.status = SyncStagedStaff.Status.COMMITTED
        row.committed_at = now
    writer.flush()
    for row in rows:
        if row.pk in applied:
            row.person_id = applied[row.pk].person.pk
    return applied, failures


def _commit_batch(commit: _Commit, row_ids: list[int], lookups) -> int:
    """Plan and write one batch in one transaction with its markers; returns rows done."""
    now = timezone.now()
    with transaction.atomic():
        rows = _pending_locked(row_ids)
        if not rows:
            return 0
        applied, failures = _rows_write(commit, rows, lookups, now)
        rows_update(SyncStagedStaff, rows, ["status", "committed_at", "person", "errors"])
        BoiErrorLogEntry.objects.bulk_create(failures)
        commit.progress(done=len(rows), succeeded=len(applied), failed=len(failures), now=now)
    for row in rows:
        commit.outcome.add(row, applied[row.pk].action if row.pk in applied else "")
    return len(rows)


def _row_failed(commit: _Commit, row_id: int, exc: Exception) -> int:
    """Mark a row that could not be saved as failed, with the error; rows marked (0 or 1)."""
    with transaction.atomic():
        row = (
            SyncStagedStaff.objects.select_for_update()
            .filter(pk=row_id, status=SyncStagedStaff.Status.PENDING)
            .first()
        )
        if row is None:
            return 0
        row.status = SyncStagedStaff.Status.FAILED
        row.errors = [{"field": "", "code": "internal", "message": f"Campus could not save: {exc}"}]
        row.save(update_fields=["status", "errors"])
        error_log_entry(
            method=commit.method,
            path=commit.path,
            status=500,
            message=f"staff {row.staff_number}: Campus could not save: {exc}",
            payload=row.payload,
            staff_number=row.staff_number,
            session_id=commit.session.pk,
        ).save()
        commit.progress(done=1, succeeded=0, failed=1, now=timezone.now())
        commit.outcome.add(row)
        return 1


def _commit_one_by_one(commit: _Commit, row_ids: list[int]) -> int:
    """A batch failed as a whole (a database error): commit its rows one by one, so one bad
    row fails alone; a row that still fails is marked failed with the error."""
    done = 0
    for row_id in row_ids:
        lookups = lookups_load()  # the failed batch may have left stale ids behind
        try:
            done += _commit_batch(commit, [row_id], lookups)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and in the error log
            log.exception("BOI commit of staged row %s failed", row_id)
            done += _row_failed(commit, row_id, exc)
    return done


def commit_rows(
    session: SyncSession,
    *,
    job_id: int | None = None,
    still_mine=lambda: True,
    method: str = "POST",
    path: str = "",
    outcome: CommitOutcome | None = None,
    before_batch=lambda: None,
) -> CommitOutcome:
    """Commit every pending staged row of the session, batch by batch."""
    commit = _Commit(
        session=session,
        household_allowed=preferences_get().allow_household_updates,
        method=method,
        path=path,
        job_id=job_id,
        outcome=outcome or CommitOutcome(),
    )
    lookups = lookups_load()
    size = min(batch_size(), COMMIT_BATCH_MAX)
    while still_mine():
        row_ids = _next_pending(session, size)
        if not row_ids:
            break
        before_batch()
        try:
            _commit_batch(commit, row_ids, lookups)
        except Exception:  # noqa: BLE001 - retried row by row, each failure recorded
            log.warning("BOI commit batch failed; retrying its rows one by one", exc_info=True)
            _commit_one_by_one(commit, row_ids)
            lookups = lookups_load()
    return commit.outcome


def sync_finish(session: SyncSession, *, actor, succeeded: int, failed: int) -> None:
    """The sync is committed: status, audit entry and the HR Sync Commit notification."""
    with transaction.atomic():
        updated = SyncSession.objects.filter(
            pk=session.pk, status__in=(Status.VALIDATED, Status.COMMITTING)
        ).update(status=Status.COMMITTED, committed_at=timezone.now())
        if not updated:
            return
        audit_record(
            actor=actor,
            action="campus.boi_sync_committed",
            target=session,
            details={"succeeded": succeeded, "failed": failed},
        )
        notify(
            kind=BoiNotification.Kind.HR_SYNC_COMMIT,
            subject=f"HR sync {session.pk} committed: {succeeded} staff committed, {failed} failed",
            body="Failures are listed in the Business Office Error Log." if failed else "",
        )


def sync_commit(*, session: SyncSession, actor) -> dict:
    """The synchronous commit (step 5, small syncs): refuses more than 500 staff."""
    if session.staff_count > COMMIT_JOB_THRESHOLD:
        raise error(
            409,
            "sync",
            "too_many",
            f"{session.staff_count} staff: the synchronous commit takes at most "
            f"{COMMIT_JOB_THRESHOLD}; use submitCommitJob",
        )
    with transaction.atomic():
        session = session_locked(session)
        check_step(session, "commit")
        session.status = Status.COMMITTING
        session.save(update_fields=["status"])
    path = f"{BASE_PATH}/sync/{session.pk}/commit"
    try:
        outcome = commit_rows(session, path=path)
    except Exception:
        SyncSession.objects.filter(pk=session.pk).update(status=Status.VALIDATED)
        raise
    sync_finish(session, actor=actor, succeeded=len(outcome.succeeded), failed=len(outcome.failed))
    return {"syncID": session.pk, "succeeded": outcome.succeeded, "failed": outcome.failed}
