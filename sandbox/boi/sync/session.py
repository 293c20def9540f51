"""Sync sessions: start, transfer, end transfer, and walking the staged rows in batches."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from boi.rules.errors import RuleError
from boi.rules.staff import text, validate_staff
from boi.rules.sync import (
    ReportEntry,
    SyncState,
    next_sync_state,
    validate_sync,
)
from idbridge.audit.services import audit_record
from idbridge.db import rows_delete
from idbridge.ids import database_id
from sandbox.boi.addresses import AddressIndex
from sandbox.boi.context import campus_people_load, lookups_load
from sandbox.boi.errors import BoiError, error
from sandbox.boi.preferences import preferences_get
from sandbox.boi.staff import address_payloads
from sandbox.models import (
    SyncSession,
    SyncStagedStaff,
)

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
    pk = database_id(str(sync_id))
    session = SyncSession.objects.filter(pk=pk).first() if pk is not None else None
    if session is None:
        raise error(404, "syncID", "not_found", f"there is no synchronization {sync_id}")
    return session


def check_step(session: SyncSession, action: str) -> SyncState:
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


def session_locked(session: SyncSession) -> SyncSession:
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
        session = SyncSession.objects.create(
            status=Status.TRANSFERRING, started_by=started_by[:150], client=client
        )
        audit_record(
            actor=actor,
            action="campus.boi_sync_started",
            target=session,
            details={"cancelled": cancelled},
        )
    # What the cancelled syncs had staged, a batch at a time (any left over by an earlier
    # start that stopped half-way too).
    rows_delete(SyncStagedStaff.objects.filter(session__status=Status.CANCELLED))
    return session


def sync_restart_transfer(*, session: SyncSession, actor) -> SyncSession:
    """Restart Transfer (the Synchronization tool): forget what was transferred and take a
    new transfer into the same sync."""
    with transaction.atomic():
        session = session_locked(session)
        check_step(session, "start")
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
    check_step(session, "transfer")
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
        session = session_locked(session)
        check_step(session, "transfer")
        SyncStagedStaff.objects.bulk_create(rows, batch_size=500)
        SyncSession.objects.filter(pk=session.pk).update(staff_count=F("staff_count") + len(rows))
    session.refresh_from_db(fields=["staff_count"])
    return {"syncID": session.pk, "received": len(rows), "transferred": session.staff_count}


def sync_end_transfer(*, session: SyncSession, actor) -> SyncSession:
    with transaction.atomic():
        session = session_locked(session)
        check_step(session, "end_transfer")
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


def complete_group(qs, rows: list[SyncStagedStaff]) -> list[SyncStagedStaff]:
    """Add the rest of the last staff number's rows, so no batch splits a staff number."""
    if not rows:
        return rows
    last = rows[-1]
    return rows + list(qs.filter(staff_number=last.staff_number, id__gt=last.pk).order_by("id"))


def staged_batches(session: SyncSession, size: int) -> Iterator[list[SyncStagedStaff]]:
    """Every staged row of the session, by (staff number, id), keyset-paged.

    A batch always ends with the whole of its last staff number (``complete_group``), so
    the next page starts at the next staff number: ``staff_number > last`` is a plain
    range on the (session, staff_number, id) index, whatever the page.
    """
    qs = SyncStagedStaff.objects.filter(session=session)
    last = None
    while True:
        page = qs if last is None else qs.filter(staff_number__gt=last)
        rows = complete_group(qs, list(page.order_by("staff_number", "id")[:size]))
        if not rows:
            return
        yield rows
        last = rows[-1].staff_number


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
