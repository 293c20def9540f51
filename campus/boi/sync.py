"""Business Office staff synchronization: sessions, transfer, validate, commit, commit jobs.

The flow (``boi.rules.sync.next_sync_state`` decides what is allowed when)::

    start → transfer … → endTransfer → validate (again after Campus changes) → commit | job

Scale: validate and commit never hold a whole sync in memory. They walk the staged rows in
batches (``CAMPUS_SANDBOX_BOI_BATCH_SIZE``) ordered by staff number, a batch always
holding every row of a staff number (so an HR duplicate is seen whole), and load what
Campus knows about a batch with a fixed number of queries (``campus.boi.context``).

Exactly once: a batch is written in one transaction together with its staged rows'
``committed``/``failed`` markers and the job's progress, after locking those rows and
re-reading that they are still pending. A worker killed mid-batch loses the whole batch's
transaction; whoever resumes the job starts from the first row still pending.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from boi.rules.errors import RuleError
from boi.rules.staff import text, validate_staff
from boi.rules.sync import (
    COMMIT_JOB_THRESHOLD,
    ReportEntry,
    SyncState,
    next_sync_state,
    validate_sync,
)
from campus.boi.addresses import AddressIndex
from campus.boi.apply import Writer
from campus.boi.context import campus_people_load, lookups_load
from campus.boi.db import rows_update
from campus.boi.errorlog import error_log_entry, error_message
from campus.boi.errors import BoiError, error
from campus.boi.notifications import notify
from campus.boi.preferences import preferences_get
from campus.boi.staff import address_payloads, plan_to_api
from campus.models import (
    BoiErrorLogEntry,
    BoiNotification,
    CommitJob,
    DistrictAssignment,
    Person,
    SyncSession,
    SyncStagedStaff,
)
from idbridge.audit.services import audit_record

log = logging.getLogger(__name__)

Status = SyncSession.Status
STATE = {
    Status.TRANSFERRING: SyncState.TRANSFERRING,
    Status.TRANSFER_ENDED: SyncState.TRANSFER_ENDED,
    Status.VALIDATED: SyncState.VALIDATED,
    Status.COMMITTING: SyncState.COMMITTED,
    Status.COMMITTED: SyncState.COMMITTED,
}
BASE_PATH = "/sandbox/campus/api/boi/v1"


def batch_size() -> int:
    return max(1, settings.CAMPUS_SANDBOX_BOI_BATCH_SIZE)


# --- the session ----------------------------------------------------------------------------


def session_get(sync_id) -> SyncSession:
    session = SyncSession.objects.filter(pk=sync_id).first() if str(sync_id).isdigit() else None
    if session is None:
        raise error(404, "syncID", "not_found", f"there is no synchronization {sync_id}")
    return session


def _check(session: SyncSession, action: str) -> SyncState:
    """The state ``action`` leads to, or a 409 naming why it is not allowed now."""
    if session.status == Status.CANCELLED:
        raise error(
            409,
            "sync",
            "not_allowed",
            f"synchronization {session.pk} was replaced by a newer start: use the newest "
            "syncID (changed HR data means starting again)",
        )
    outcome = next_sync_state(STATE[session.status], action)
    if isinstance(outcome, RuleError):
        raise BoiError(409, outcome)
    return outcome


def _locked(session: SyncSession) -> SyncSession:
    return SyncSession.objects.select_for_update().get(pk=session.pk)


def sync_start(*, started_by: str, client=None, actor) -> SyncSession:
    """Start a synchronization (step 1). Any open one is cancelled: starting again is how
    changed HR data is sent."""
    with transaction.atomic():
        if SyncSession.objects.select_for_update().filter(status=Status.COMMITTING).exists():
            raise error(
                409,
                "sync",
                "not_allowed",
                "a commit job is still running: wait for it (GET sync/jobs/latest)",
            )
        cancelled = list(
            SyncSession.objects.filter(status__in=SyncSession.OPEN).values_list("pk", flat=True)
        )
        SyncSession.objects.filter(pk__in=cancelled).update(status=Status.CANCELLED)
        SyncStagedStaff.objects.filter(session_id__in=cancelled).delete()
        session = SyncSession.objects.create(
            status=Status.TRANSFERRING, started_by=started_by[:150], client=client
        )
        audit_record(
            actor=actor,
            action="campus.boi_sync_started",
            target=session,
            details={"cancelled": cancelled},
        )
    return session


def sync_restart_transfer(*, session: SyncSession, actor) -> SyncSession:
    """Restart Transfer (the Synchronization tool): forget what was transferred and take a
    new transfer into the same sync."""
    with transaction.atomic():
        session = _locked(session)
        _check(session, "start")
        if session.status in (Status.COMMITTING, Status.COMMITTED):
            raise error(409, "sync", "not_allowed", "a committed sync cannot be restarted")
        SyncStagedStaff.objects.filter(session=session).delete()
        session.status = Status.TRANSFERRING
        session.staff_count = 0
        session.transfer_ended_at = session.validated_at = None
        session.summary = {}
        session.save()
        audit_record(actor=actor, action="campus.boi_sync_transfer_restarted", target=session)
    return session


def _staff_list(body: object) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and isinstance(body.get("staff"), list):
        extra = set(body) - {"staff"}
        if extra:
            names = ", ".join(sorted(extra))
            raise error(400, names, "unknown_field", f"'{names}' is not a known field")
        return body["staff"]
    raise error(400, "staff", "invalid", 'send {"staff": [staff objects]} or a JSON list')


def sync_transfer(*, session: SyncSession, body: object) -> dict:
    """Transfer a batch of HR staff (step 2): each checked like a create/update; one bad
    staff member refuses the whole batch (nothing is stored), naming every problem."""
    staff = _staff_list(body)
    limit = settings.CAMPUS_SANDBOX_BOI_TRANSFER_MAX_STAFF
    if not staff:
        raise error(400, "staff", "required", "the batch is empty")
    if len(staff) > limit:
        raise error(
            413,
            "staff",
            "too_many",
            f"at most {limit} staff per transfer call ({len(staff)} sent): split the batch",
        )
    _check(session, "transfer")
    mappings = lookups_load().mappings
    household_allowed = preferences_get().allow_household_updates
    errors: list[RuleError] = []
    for index, payload in enumerate(staff):
        check = validate_staff(payload, mappings, household_allowed=household_allowed)
        errors += [
            RuleError(f"staff[{index}]" + (f".{e.field}" if e.field else ""), e.code, e.message)
            for e in check.errors
        ]
    if errors:
        raise BoiError(400, errors)
    rows = []
    for payload in staff:
        stored = {k: v for k, v in payload.items() if k != "ssn"}
        rows.append(
            SyncStagedStaff(
                session=session,
                staff_number=text(payload.get("staffNumber"))[:64],
                payload=stored,
                ssn=text(payload.get("ssn")),
            )
        )
    with transaction.atomic():
        session = _locked(session)
        _check(session, "transfer")
        SyncStagedStaff.objects.bulk_create(rows, batch_size=500)
        SyncSession.objects.filter(pk=session.pk).update(staff_count=F("staff_count") + len(rows))
    session.refresh_from_db(fields=["staff_count"])
    return {"syncID": session.pk, "received": len(rows), "transferred": session.staff_count}


def sync_end_transfer(*, session: SyncSession, actor) -> SyncSession:
    with transaction.atomic():
        session = _locked(session)
        _check(session, "end_transfer")
        if not session.staff_count:
            raise error(409, "sync", "not_allowed", "nothing was transferred")
        session.status = Status.TRANSFER_ENDED
        session.transfer_ended_at = timezone.now()
        session.save(update_fields=["status", "transfer_ended_at"])
        audit_record(
            actor=actor,
            action="campus.boi_sync_transfer_ended",
            target=session,
            details={"staff": session.staff_count},
        )
    return session


def session_to_api(session: SyncSession) -> dict:
    job = session.jobs.order_by("-created_at", "-id").first()
    return {
        "syncID": session.pk,
        "status": session.status,
        "startedAt": session.started_at.isoformat(),
        "startedBy": session.started_by,
        "transferred": session.staff_count,
        "transferEndedAt": session.transfer_ended_at and session.transfer_ended_at.isoformat(),
        "validatedAt": session.validated_at and session.validated_at.isoformat(),
        "committedAt": session.committed_at and session.committed_at.isoformat(),
        "summary": session.summary or None,
        "jobID": job.pk if job else None,
    }


# --- walking the staged rows ------------------------------------------------------------------


def _complete_group(qs, rows: list[SyncStagedStaff]) -> list[SyncStagedStaff]:
    """Add the rest of the last staff number's rows, so no batch splits a staff number."""
    if not rows:
        return rows
    last = rows[-1]
    return rows + list(qs.filter(staff_number=last.staff_number, id__gt=last.pk).order_by("id"))


def staged_batches(session: SyncSession, size: int) -> Iterator[list[SyncStagedStaff]]:
    """Every staged row of the session, by (staff number, id), keyset-paged."""
    qs = SyncStagedStaff.objects.filter(session=session)
    after = None
    while True:
        page = qs
        if after is not None:
            number, pk = after
            page = qs.filter(Q(staff_number__gt=number) | Q(staff_number=number, id__gt=pk))
        rows = _complete_group(qs, list(page.order_by("staff_number", "id")[:size]))
        if not rows:
            return
        yield rows
        after = (rows[-1].staff_number, rows[-1].pk)


def row_payload(row: SyncStagedStaff) -> dict:
    payload = dict(row.payload)
    ssn = row.ssn.reveal() if row.ssn else ""
    if ssn:
        payload["ssn"] = ssn
    return payload


class BatchPlan:
    """The rules' verdict on one batch: Campus loaded, ``validate_sync`` run."""

    def __init__(self, rows: list[SyncStagedStaff], lookups, household_allowed: bool, today):
        self.rows = rows
        self.payloads = [row_payload(row) for row in rows]
        self.people = campus_people_load(
            staff_numbers=[row.staff_number for row in rows], today=today
        )
        self.index = AddressIndex().load(
            [a for p in self.payloads for a in address_payloads(p)] if household_allowed else []
        )
        report = validate_sync(
            [held.as_campus_staff(lookups) for held in self.people.values()],
            self.payloads,
            lookups.mappings,
            household_allowed=household_allowed,
            find_address_by_components=self.index.find_by_components,
            find_address_by_key=self.index.find_by_key,
        )
        self.entries: list[ReportEntry] = list(report.entries)


# --- validate -------------------------------------------------------------------------------


def entry_to_api(entry: ReportEntry) -> dict:
    employment = entry.employment_changes
    return {
        "staffNumber": entry.staff_number,
        "action": entry.action,
        "personID": entry.person_id,
        "demographics": [
            {"field": c.field, "old": c.old, "new": c.new, "newIdentity": c.new_identity}
            for c in entry.demographic_changes
        ],
        "newIdentity": entry.new_identity,
        "employment": {
            "added": [
                {"hireDate": e.hire_date, "terminationDate": e.termination_date}
                for e in employment.creates
            ],
            "updated": [
                {
                    "hireDate": u.hire_date,
                    "oldTerminationDate": u.old_termination_date,
                    "newTerminationDate": u.new_termination_date,
                }
                for u in employment.updates
            ],
        },
        "districtAssignments": plan_to_api(entry.assignment_changes),
        "titlesToCreate": [
            {"code": t.code, "description": t.description} for t in entry.titles_to_create
        ],
        "household": (
            {"action": entry.household.action, "reason": entry.household.reason}
            if entry.household
            else None
        ),
        "addressesToAdd": [
            {**a.components(), "key": a.key, "streetLine": a.street_line()}
            for a in entry.addresses_to_add
        ],
        "errors": [e.as_dict() for e in entry.errors],
        "notes": list(entry.notes),
    }


def _untouched_campus_staff(session: SyncSession):
    """Campus staff the HR transfer does not name: the sync leaves them alone."""
    staged = SyncStagedStaff.objects.filter(session=session, staff_number=OuterRef("staff_number"))
    return Person.objects.filter(
        Exists(DistrictAssignment.objects.filter(person=OuterRef("pk")))
    ).exclude(Q(staff_number__gt="") & Exists(staged))


def sync_validate(*, session: SyncSession, actor) -> dict:
    """Validate (step 4): what a commit would do to Campus as it is now; stored per staff
    member and summed up. Re-run it after Campus data changes."""
    _check(session, "validate")
    today = timezone.localdate()
    lookups = lookups_load()
    household_allowed = preferences_get().allow_household_updates
    counts: Counter[str] = Counter()
    new_addresses: set[str] = set()
    titles: set[str] = set()
    for rows in staged_batches(session, batch_size()):
        plan = BatchPlan(rows, lookups, household_allowed, today)
        for row, entry in zip(rows, plan.entries, strict=True):
            row.action = entry.action
            row.report = entry_to_api(entry)
            counts[entry.action] += 1
            if entry.new_identity:
                counts["newIdentity"] += 1
            if entry.demographic_changes:
                counts["demographicChanges"] += 1
            if entry.employment_changes.changes_anything:
                counts["employmentChanges"] += 1
            if entry.assignment_changes.changes_anything:
                counts["assignmentChanges"] += 1
            if entry.household and entry.household.action == "ignore":
                counts["householdIgnored"] += 1
            new_addresses.update(a.key for a in entry.addresses_to_add)
            titles.update(t.code for t in entry.titles_to_create)
        rows_update(SyncStagedStaff, rows, ["action", "report"])
    summary = {
        "staff": sum(counts[a] for a in ("add", "update", "error")),
        "add": counts["add"],
        "update": counts["update"],
        "error": counts["error"],
        "newIdentity": counts["newIdentity"],
        "demographicChanges": counts["demographicChanges"],
        "employmentChanges": counts["employmentChanges"],
        "assignmentChanges": counts["assignmentChanges"],
        "householdIgnored": counts["householdIgnored"],
        "addressesToAdd": len(new_addresses),
        "titlesToCreate": len(titles),
        "untouchedCampusStaff": _untouched_campus_staff(session).count(),
        "recommendedCommit": "commit"
        if counts["add"] + counts["update"] < COMMIT_JOB_THRESHOLD
        else "submitCommitJob",
    }
    del new_addresses
    with transaction.atomic():
        session = _locked(session)
        _check(session, "validate")
        session.status = Status.VALIDATED
        session.validated_at = timezone.now()
        session.summary = summary
        session.save(update_fields=["status", "validated_at", "summary"])
        audit_record(
            actor=actor, action="campus.boi_sync_validated", target=session, details=summary
        )
    return summary


def validate_report_chunks(session: SyncSession, *, untouched_listed: int = 1000) -> Iterator[str]:
    """The validate report as JSON text, streamed from the stored rows (bounded memory)::

    {"syncID", "status", "summary", "entries": [...], "staffToAdd": [...],
     "addressesToAdd": [...], "untouchedCampusStaff": {"count", "personIDs"}}
    """
    head = {"syncID": session.pk, "status": session.status, "summary": session.summary}
    yield json.dumps(head)[:-1] + ', "entries": ['
    first = True
    adds: list[str] = []
    seen_keys: set[str] = set()
    addresses: list[str] = []
    for rows in staged_batches(session, 1000):
        for row in rows:
            report = row.report or {}
            yield ("" if first else ",") + json.dumps(report)
            first = False
            if report.get("action") == "add":
                adds.append(json.dumps(report.get("staffNumber")))
            for address in report.get("addressesToAdd", ()):
                if address.get("key") not in seen_keys:
                    seen_keys.add(address.get("key"))
                    addresses.append(json.dumps(address))
    yield '], "staffToAdd": [' + ",".join(adds) + "]"
    yield ', "addressesToAdd": [' + ",".join(addresses) + "]"
    untouched = _untouched_campus_staff(session)
    ids = list(untouched.order_by("id").values_list("id", flat=True)[:untouched_listed])
    yield ', "untouchedCampusStaff": ' + json.dumps(
        {"count": (session.summary or {}).get("untouchedCampusStaff"), "personIDs": ids}
    )
    yield "}"


# --- commit -----------------------------------------------------------------------------------


def _pending(session: SyncSession):
    return SyncStagedStaff.objects.filter(session=session, status=SyncStagedStaff.Status.PENDING)


def _next_pending(session: SyncSession, size: int) -> list[int]:
    qs = _pending(session)
    rows = list(qs.order_by("staff_number", "id").only("id", "staff_number")[:size])
    return [row.pk for row in _complete_group(qs, rows)]


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


def _commit_batch(
    session: SyncSession,
    row_ids: list[int],
    *,
    lookups,
    household_allowed: bool,
    method: str,
    path: str,
    job_id: int | None,
    outcome: CommitOutcome,
) -> int:
    """Plan and write one batch in one transaction with its markers; returns rows done."""
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        rows = list(
            SyncStagedStaff.objects.select_for_update()
            .filter(pk__in=row_ids, status=SyncStagedStaff.Status.PENDING)
            .order_by("staff_number", "id")
        )
        if not rows:
            return 0
        plan = BatchPlan(rows, lookups, household_allowed, today)
        writer = Writer(lookups=lookups, addresses=plan.index, now=now, today=today)
        applied = {}
        failures = []
        for row, payload, entry in zip(rows, plan.payloads, plan.entries, strict=True):
            if entry.action == "error":
                row.status = SyncStagedStaff.Status.FAILED
                row.errors = [e.as_dict() for e in entry.errors]
                failures.append(
                    error_log_entry(
                        method=method,
                        path=path,
                        status=0,
                        message=f"staff {row.staff_number}: {error_message(row.errors)}",
                        payload=payload,
                        staff_number=row.staff_number,
                        session_id=session.pk,
                    )
                )
                continue
            applied[row.pk] = writer.stage(entry, payload, plan.people.get(entry.person_id))
            row.status = SyncStagedStaff.Status.COMMITTED
            row.committed_at = now
        writer.flush()
        for row in rows:
            if row.pk in applied:
                row.person_id = applied[row.pk].person.pk
        rows_update(SyncStagedStaff, rows, ["status", "committed_at", "person", "errors"])
        BoiErrorLogEntry.objects.bulk_create(failures)
        if job_id is not None:
            CommitJob.objects.filter(pk=job_id).update(
                done=F("done") + len(rows),
                succeeded=F("succeeded") + len(applied),
                failed=F("failed") + len(failures),
                heartbeat_at=now,
            )
    for row in rows:
        outcome.add(row, applied[row.pk].action if row.pk in applied else "")
    return len(rows)


def _commit_one_by_one(session, row_ids, *, job_id, outcome, method, path, household_allowed):
    """A batch failed as a whole (a database error): commit its rows one by one, so one bad
    row fails alone; a row that still fails is marked failed with the error."""
    done = 0
    for row_id in row_ids:
        lookups = lookups_load()  # the failed batch may have left stale ids behind
        try:
            done += _commit_batch(
                session,
                [row_id],
                lookups=lookups,
                household_allowed=household_allowed,
                method=method,
                path=path,
                job_id=job_id,
                outcome=outcome,
            )
        except Exception as exc:  # noqa: BLE001 - recorded on the row and in the error log
            log.exception("BOI commit of staged row %s failed", row_id)
            with transaction.atomic():
                row = (
                    SyncStagedStaff.objects.select_for_update()
                    .filter(pk=row_id, status=SyncStagedStaff.Status.PENDING)
                    .first()
                )
                if row is None:
                    continue
                row.status = SyncStagedStaff.Status.FAILED
                row.errors = [
                    {"field": "", "code": "internal", "message": f"Campus could not save: {exc}"}
                ]
                row.save(update_fields=["status", "errors"])
                error_log_entry(
                    method=method,
                    path=path,
                    status=500,
                    message=f"staff {row.staff_number}: Campus could not save: {exc}",
                    payload=row.payload,
                    staff_number=row.staff_number,
                    session_id=session.pk,
                ).save()
                if job_id is not None:
                    CommitJob.objects.filter(pk=job_id).update(
                        done=F("done") + 1, failed=F("failed") + 1, heartbeat_at=timezone.now()
                    )
                outcome.add(row)
                done += 1
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
    outcome = outcome or CommitOutcome()
    lookups = lookups_load()
    household_allowed = preferences_get().allow_household_updates
    size = batch_size()
    while True:
        if not still_mine():
            return outcome
        row_ids = _next_pending(session, size)
        if not row_ids:
            return outcome
        before_batch()
        try:
            _commit_batch(
                session,
                row_ids,
                lookups=lookups,
                household_allowed=household_allowed,
                method=method,
                path=path,
                job_id=job_id,
                outcome=outcome,
            )
        except Exception:  # noqa: BLE001 - retried row by row, each failure recorded
            log.warning("BOI commit batch failed; retrying its rows one by one", exc_info=True)
            _commit_one_by_one(
                session,
                row_ids,
                job_id=job_id,
                outcome=outcome,
                method=method,
                path=path,
                household_allowed=household_allowed,
            )
            lookups = lookups_load()


def _finish(session: SyncSession, *, actor, succeeded: int, failed: int) -> None:
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
        session = _locked(session)
        _check(session, "commit")
        session.status = Status.COMMITTING
        session.save(update_fields=["status"])
    path = f"{BASE_PATH}/sync/{session.pk}/commit"
    try:
        outcome = commit_rows(session, path=path)
    except Exception:
        SyncSession.objects.filter(pk=session.pk).update(status=Status.VALIDATED)
        raise
    _finish(session, actor=actor, succeeded=len(outcome.succeeded), failed=len(outcome.failed))
    return {"syncID": session.pk, "succeeded": outcome.succeeded, "failed": outcome.failed}


# --- commit jobs ------------------------------------------------------------------------------


def commit_job_submit(*, session: SyncSession, actor) -> CommitJob:
    """``submitCommitJob``: a background job commits the sync; poll ``sync/jobs/latest``."""
    from campus.tasks import commit_job_run

    with transaction.atomic():
        session = _locked(session)
        _check(session, "commit_job")
        session.status = Status.COMMITTING
        session.save(update_fields=["status"])
        job = CommitJob.objects.create(session=session, total=_pending(session).count())
        audit_record(
            actor=actor,
            action="campus.boi_commit_job_submitted",
            target=session,
            details={"job": job.pk, "staff": job.total},
        )
        commit_job_run.delay_on_commit(job.pk)
    return job


def stale_before():
    return timezone.now() - timedelta(seconds=settings.CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS)


def commit_job_claim(job_id: int, worker: str) -> bool:
    """Claim a job that nobody runs: pending, or running with a heartbeat gone stale (its
    worker died). One conditional UPDATE: two workers never both win."""
    now = timezone.now()
    claimable = Q(status=CommitJob.Status.PENDING) | Q(
        status=CommitJob.Status.RUNNING, heartbeat_at__lt=stale_before()
    )
    return bool(
        CommitJob.objects.filter(claimable, pk=job_id).update(
            status=CommitJob.Status.RUNNING,
            worker=worker[:200],
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
        )
    )


def commit_job_release(job_id: int, worker: str) -> None:
    """Give a running job back (time limit reached): the next claim continues it."""
    CommitJob.objects.filter(pk=job_id, worker=worker, status=CommitJob.Status.RUNNING).update(
        status=CommitJob.Status.PENDING
    )


def commit_job_run(job_id: int, *, worker: str, before_batch=lambda: None) -> str:
    """Run (or resume) a commit job; returns what happened. Safe to call twice."""
    if not commit_job_claim(job_id, worker):
        return "not claimed"
    job = CommitJob.objects.select_related("session").get(pk=job_id)
    session = job.session

    def still_mine() -> bool:
        return bool(
            CommitJob.objects.filter(
                pk=job_id, worker=worker, status=CommitJob.Status.RUNNING
            ).update(heartbeat_at=timezone.now())
        )

    try:
        commit_rows(
            session,
            job_id=job_id,
            still_mine=still_mine,
            method="COMMIT",
            path=f"{BASE_PATH}/sync/{session.pk}/submitCommitJob",
            outcome=_no_details(),
            before_batch=before_batch,
        )
    except Exception as exc:
        CommitJob.objects.filter(pk=job_id, worker=worker).update(
            status=CommitJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        SyncSession.objects.filter(pk=session.pk, status=Status.COMMITTING).update(
            status=Status.VALIDATED
        )
        raise
    if _pending(session).exists():
        return "lost the claim"
    with transaction.atomic():
        finished = CommitJob.objects.filter(
            pk=job_id, worker=worker, status=CommitJob.Status.RUNNING
        ).update(status=CommitJob.Status.SUCCEEDED, finished_at=timezone.now())
        if not finished:
            return "lost the claim"
        job.refresh_from_db()
        _finish(
            session, actor=f"campus:commit-job:{job_id}", succeeded=job.succeeded, failed=job.failed
        )
    return "succeeded"


def _no_details() -> CommitOutcome:
    outcome = CommitOutcome()
    outcome.keep_details = False  # a 50,000-staff job keeps counts in the database only
    return outcome


def commit_jobs_stale() -> list[int]:
    """Jobs whose worker is gone: running with a stale heartbeat, or pending too long."""
    stale = stale_before()
    return list(
        CommitJob.objects.filter(
            Q(status=CommitJob.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=CommitJob.Status.PENDING, created_at__lt=stale)
        ).values_list("pk", flat=True)
    )


def commit_job_latest() -> CommitJob | None:
    return CommitJob.objects.select_related("session").order_by("-created_at", "-id").first()


def job_to_api(job: CommitJob) -> dict:
    return {
        "jobID": job.pk,
        "syncID": job.session_id,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total},
        "counts": {"succeeded": job.succeeded, "failed": job.failed},
        "attempts": job.attempts,
        "createdAt": job.created_at.isoformat(),
        "startedAt": job.started_at and job.started_at.isoformat(),
        "finishedAt": job.finished_at and job.finished_at.isoformat(),
        "error": job.error or None,
    }
