"""Polling a Campus for staff: the service behind the beat schedule and "Poll now".

A poll (or full reconciliation) is a job of ``idbridge.jobs`` (kinds in ``staff.jobs``):
claimed, beating, reporting its progress in persons, failed with a readable sentence, and
swept when its worker dies. A connection points to its latest poll job, and a new one is
queued only while that job is not queued or running on a live worker, so one connection
is never polled twice at once, whatever the number of workers. The cursor (watermark /
high-water person ID) is stored only when a poll finishes, so one that fails part-way
loses nothing: the next one (or its Retry) reads the same records again, and recording
them is idempotent.

A connection's first successful poll is its baseline: the staff it reads already work in
the district and are recorded as existing, with no invitation; one audit entry sums it
up. A baseline that fails part-way is taken again by the next poll, which keeps what the
first one recorded (existing all the same).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusError, CampusPerson, PollCursor, Progress
from idbridge.jobs.kinds import job_kind
from idbridge.jobs.models import Job
from idbridge.jobs.services import (
    RunningJob,
    job_claim,
    job_fail,
    job_succeed,
    stale_before,
    unexpected_reason,
)
from staff.connectors import connector_for
from staff.jobs import poll_kind, poll_options
from staff.models import CampusConnection, OnboardingCase, StaffSource
from staff.services.discovery import staff_mark_gone, staff_records_from_campus

log = logging.getLogger(__name__)
# Persons recorded per transaction: on SQLite every other writer waits for it (200 took 0.17
# CPU-seconds, up to 1.7 s on a busy machine, while a pre-flight and a sync ran too;
# bench/bench_sqlite_concurrency.py measures it).
BATCH = 100


class JobProgress(Progress):
    """A connector's progress (persons read of persons expected), written to the job."""

    def __init__(self, running: RunningJob):
        super().__init__()
        self.running = running
        self.total_written: int | None = None

    def report(self, *, last: bool = False) -> None:
        # Called per person read: written at most once a second (JOBS_PROGRESS_SECONDS),
        # but at once when the total becomes known or changes, and the last report always
        # (a step forces it).
        total = self.total if self.total != self.total_written else None
        self.running.progress(self.done, total=total, step="" if last else None)
        if total is not None:
            self.total_written = total


def _cursor_from(data: dict) -> PollCursor:
    watermark = data.get("watermark")
    return PollCursor(
        watermark=datetime.fromisoformat(watermark) if watermark else None,
        high_person_id=int(data.get("high_person_id") or 0),
        recheck_ids=[int(i) for i in data.get("recheck_ids") or []],
    )


def _cursor_to(cursor: PollCursor) -> dict:
    return {
        "watermark": cursor.watermark.isoformat() if cursor.watermark else None,
        "high_person_id": cursor.high_person_id,
        "recheck_ids": cursor.recheck_ids,
    }


def _idle() -> Q:
    """No poll of the connection is queued, or running on a live worker."""
    return (
        Q(poll_job__isnull=True)
        | ~Q(poll_job__state__in=[Job.State.QUEUED, Job.State.RUNNING])
        | Q(poll_job__state=Job.State.RUNNING, poll_job__heartbeat_at__lt=stale_before())
    )


def _poll_job_new(connection_id: int, kind: str) -> Job | None:
    """A queued poll job the connection now points to; None while another poll is busy."""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, subject_id=connection_id, unit=job_kind(kind).unit)
        if CampusConnection.objects.filter(_idle(), id=connection_id, enabled=True).update(
            poll_job=job
        ):
            return job
        job.delete()
    return None


def poll_queue(*, connection_id: int, full=False, accept_shrink=False) -> Job | None:
    """Queue a poll (its task sent once the transaction commits); None while one is busy."""
    kind = poll_kind(full=full, accept_shrink=accept_shrink)
    job = _poll_job_new(connection_id, kind)
    if job is not None:
        job_kind(kind).task.delay_on_commit(job.id)
    return job


def connection_claim_poll(
    connection_id: int, *, full=False, accept_shrink=False
) -> RunningJob | None:
    """A new poll job, claimed here to be run in this process; None while one is busy."""
    job = _poll_job_new(connection_id, poll_kind(full=full, accept_shrink=accept_shrink))
    return job_claim(job.id) if job is not None else None


def connection_poll(
    *, connection_id: int, full: bool = False, accept_shrink: bool = False, actor="system"
) -> dict | None:
    """Run one poll here and now (no worker): its counts, or None while another poll is
    busy. Raises CampusError after recording it on the connection and failing the job."""
    running = connection_claim_poll(connection_id, full=full, accept_shrink=accept_shrink)
    if running is None:
        return None
    try:
        counts = poll_run(running, actor=actor)
    except CampusError as exc:
        job_fail(running.id, str(exc), token=running.token)
        raise
    except Exception as exc:
        job_fail(running.id, unexpected_reason(running.job, exc), token=running.token)
        raise
    job_succeed(running)
    return counts


def poll_run(running: RunningJob, *, actor="system") -> dict:
    """The body of a poll job: read Campus, record staff, report progress to the job.

    Raises CampusError after recording it on the connection (the task decides on retry).
    """
    full, accept_shrink = poll_options(running.job.kind)
    connection = CampusConnection.objects.get(id=running.subject_id)
    connector = connector_for(connection)
    cursor = _cursor_from(connection.cursor)
    progress = JobProgress(running)
    counts = {"read": 0, "new_cases": 0, "existing": 0, "updated": 0, "adopted": 0, "revoked": 0}
    full_due = full or _full_reconcile_due(connection)
    try:
        held = _poll_run(connection, connector, cursor, progress, counts, full_due, accept_shrink)
    except CampusError as exc:
        _finish(connection, counts, error=exc)
        raise
    progress.report(last=True)
    with transaction.atomic():  # a finished baseline is stamped with the cursor, or neither
        _finish(connection, counts, cursor=cursor, full=full_due, held=held)
        if connection.baseline_at is None:
            _baseline_record(connection, counts, actor)
    audit_record(
        actor=actor,
        action="staff.poll.finished",
        target=connection,
        details={**counts, "full": full_due, "held": bool(held)},
    )
    return counts


def _baseline_record(connection: CampusConnection, counts: dict, actor) -> None:
    """The baseline is taken: stamp the connection and audit it once, whatever its size."""
    existing = OnboardingCase.objects.filter(
        staff_member__sources__connection=connection, from_baseline=True
    ).count()
    CampusConnection.objects.filter(id=connection.id).update(
        baseline_at=timezone.now(), baseline_count=existing
    )
    audit_record(
        actor=actor,
        action="staff.baseline.recorded",
        target=connection,
        details={"existing": existing, "invited": counts["new_cases"], "read": counts["read"]},
    )


def _staff_seen(connection: CampusConnection):
    """The persons this connection last reported as staff (by its keys for them)."""
    return StaffSource.objects.filter(connection=connection, is_staff=True)


def _full_reconcile_due(connection: CampusConnection) -> bool:
    last = connection.last_full_at
    return last is None or last < timezone.now() - timedelta(hours=connection.full_reconcile_hours)


def _is_first_soap_walk(connection: CampusConnection, cursor: PollCursor) -> bool:
    """A SOAP connection's first walk starts at person 1 and reads everyone: the full pass
    after it would read every staff member a second time for nothing."""
    return (
        connection.kind == CampusConnection.Kind.SOAP
        and cursor.high_person_id == 0
        and not StaffSource.objects.filter(connection=connection).exists()
    )


def _poll_run(connection, connector, cursor, progress, counts, full_due, accept_shrink):
    """Read what is new (and, when due, everyone); the held message of a shrunk roster."""
    if connection.kind == CampusConnection.Kind.REST and full_due:
        return _full_rest(connection, connector, cursor, progress, counts, accept_shrink)
    first_walk = _is_first_soap_walk(connection, cursor)
    _record_all(connection, connector.iter_new_staff(cursor, progress), progress, counts)
    if connection.kind != CampusConnection.Kind.SOAP or not full_due:
        return None
    if first_walk:
        CampusConnection.objects.filter(id=connection.id).update(
            last_full_staff_count=_staff_seen(connection).count()
        )
        return None
    return _full_soap(connection, connector, progress, counts, accept_shrink)


def _record_all(connection, persons, progress: JobProgress, counts: dict, keys: set | None = None):
    """Record persons in batches (a few queries per batch), reporting progress as it goes."""
    batch: list[CampusPerson] = []

    baseline = connection.baseline_at is None  # the connection's first poll: invite nobody

    def flush():
        result = staff_records_from_campus(connection=connection, persons=batch, baseline=baseline)
        for name, value in result.items():
            counts[name] += value
        batch.clear()
        progress.report()

    for person in persons:
        counts["read"] += 1
        if keys is not None:
            keys.add(person.key)
        batch.append(person)
        if len(batch) >= BATCH:
            flush()
        else:
            progress.report()  # persons read so far, as they come in
    if batch:
        flush()


def _shrunk(connection, staff_now: int) -> bool:
    last = connection.last_full_staff_count
    if not last:
        return False
    return staff_now < last * (100 - connection.shrink_hold_percent) / 100


def _full_rest(connection, connector, cursor, progress, counts, accept_shrink) -> str | None:
    started = timezone.now()
    present: set[str] = set()
    _record_all(connection, connector.iter_all_staff(progress), progress, counts, present)
    cursor.watermark = started
    return _revoke_missing(connection, present, counts, accept_shrink)


def _full_soap(connection, connector, progress, counts, accept_shrink) -> str | None:
    """Re-read every known staff member: record what changed (names, e-mails, leavers whose
    positions all ended), then revoke the ones Campus no longer has."""
    present: set[str] = set()
    # A list, not a cursor: the batches below write while the keys are walked.
    keys = list(_staff_seen(connection).values_list("campus_key", flat=True))
    progress.total = (progress.total or progress.done) + len(keys)
    progress.report()

    def found():
        for key, person in connector.iter_persons(keys):  # max_concurrency at a time
            progress.done += 1
            if person is None:
                continue
            if person.is_staff and person.is_active:
                present.add(key)
            yield person

    _record_all(connection, found(), progress, counts)  # reports progress as it reads
    return _revoke_missing(connection, present, counts, accept_shrink)


def _revoke_missing(connection, present: set[str], counts, accept_shrink) -> str | None:
    if _shrunk(connection, len(present)) and not accept_shrink:
        message = (
            f"Held: Campus reported {len(present)} staff, {connection.last_full_staff_count} "
            f"last time. Nobody was deprovisioned; an administrator must confirm."
        )
        return message
    missing = list(
        _staff_seen(connection).exclude(campus_key__in=present).values_list("campus_key", flat=True)
    )
    for i in range(0, len(missing), BATCH):
        counts["revoked"] += staff_mark_gone(
            connection=connection, keys=missing[i : i + BATCH], actor="campus:reconcile"
        )
    CampusConnection.objects.filter(id=connection.id).update(last_full_staff_count=len(present))
    return None


def _finish(connection, counts, *, cursor=None, error=None, full=False, held=None):
    now = timezone.now()
    fields = {
        "last_poll_at": now,
        "next_poll_at": now + timedelta(seconds=connection.poll_interval_seconds),
        "last_poll_counts": counts,
    }
    if error is not None:
        fields.update(
            status=CampusConnection.Status.ERROR,
            last_error=str(error)[:1000],
            last_error_at=now,
            # A transient failure is retried by the task; a permanent one waits for an
            # administrator (the schedule still tries again at the normal interval).
        )
    else:
        fields.update(cursor=_cursor_to(cursor), last_error="")
        fields["status"] = CampusConnection.Status.HELD if held else CampusConnection.Status.OK
        if held:
            fields["last_error"] = held
        if full:
            fields["last_full_at"] = now
    with transaction.atomic():
        CampusConnection.objects.filter(id=connection.id).update(**fields)


def connections_due(now=None) -> list[int]:
    """Connections whose poll is due; each is pushed one interval on, so a beat tick that
    comes before the poll has run does not queue it twice."""
    now = now or timezone.now()
    due = []
    rows = (
        CampusConnection.objects.filter(enabled=True)
        # A poll whose worker died (its heartbeat is stale) no longer counts: poll again.
        .filter(_idle())
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .values_list("id", "next_poll_at", "poll_interval_seconds")
    )
    for connection_id, next_poll_at, interval in rows:
        if CampusConnection.objects.filter(id=connection_id, next_poll_at=next_poll_at).update(
            next_poll_at=now + timedelta(seconds=interval)
        ):
            due.append(connection_id)
    return due
