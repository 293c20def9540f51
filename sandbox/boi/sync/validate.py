"""Validate: what a commit would change in Campus as it is now, and the streamed report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from boi.rules.sync import COMMIT_JOB_THRESHOLD, ReportEntry
from idbridge.audit.services import audit_record
from idbridge.db import rows_update
from sandbox.boi.context import lookups_load
from sandbox.boi.db import campus_tables_analyze
from sandbox.boi.preferences import preferences_get
from sandbox.boi.staff import plan_to_api
from sandbox.boi.sync.session import (
    BatchPlan,
    Status,
    batch_size,
    check_step,
    session_locked,
    staged_batches,
)
from sandbox.models import (
    DistrictAssignment,
    Person,
    SyncSession,
    SyncStagedStaff,
)


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


class _Tally:
    """The validate summary, summed entry by entry (addresses and titles counted once)."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.new_addresses: set[str] = set()
        self.titles: set[str] = set()

    def add(self, entry: ReportEntry) -> None:
        counts = self.counts
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
        self.new_addresses.update(a.key for a in entry.addresses_to_add)
        self.titles.update(t.code for t in entry.titles_to_create)

    def summary(self, session: SyncSession) -> dict:
        counts = self.counts
        return {
            "staff": sum(counts[a] for a in ("add", "update", "error")),
            "add": counts["add"],
            "update": counts["update"],
            "error": counts["error"],
            "newIdentity": counts["newIdentity"],
            "demographicChanges": counts["demographicChanges"],
            "employmentChanges": counts["employmentChanges"],
            "assignmentChanges": counts["assignmentChanges"],
            "householdIgnored": counts["householdIgnored"],
            "addressesToAdd": len(self.new_addresses),
            "titlesToCreate": len(self.titles),
            "untouchedCampusStaff": _untouched_campus_staff(session).count(),
            "recommendedCommit": "commit"
            if counts["add"] + counts["update"] < COMMIT_JOB_THRESHOLD
            else "submitCommitJob",
        }


def _session_validated(session: SyncSession, summary: dict, actor) -> None:
    with transaction.atomic():
        session = session_locked(session)
        check_step(session, "validate")
        session.status = Status.VALIDATED
        session.validated_at = timezone.now()
        session.summary = summary
        session.save(update_fields=["status", "validated_at", "summary"])
        audit_record(
            actor=actor, action="campus.boi_sync_validated", target=session, details=summary
        )


def sync_validate(*, session: SyncSession, actor) -> dict:
    """Validate (step 4): what a commit would do to Campus as it is now; stored per staff
    member and summed up. Re-run it after Campus data changes."""
    check_step(session, "validate")
    campus_tables_analyze()
    today = timezone.localdate()
    lookups = lookups_load()
    household_allowed = preferences_get().allow_household_updates
    tally = _Tally()
    for rows in staged_batches(session, batch_size()):
        plan = BatchPlan(rows, lookups, household_allowed, today)
        for row, entry in zip(rows, plan.entries, strict=True):
            row.action = entry.action
            row.report = entry_to_api(entry)
            tally.add(entry)
        rows_update(SyncStagedStaff, rows, ["action", "report"])
    summary = tally.summary(session)
    _session_validated(session, summary, actor)
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
