"""Validate: Campus's report, read as it arrives and stored per staff member."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from boi.models import SyncRun, SyncStaff
from boi.services.sync.runs import advance
from idbridge.connectors.boi.report import REPORT_ENTRY_KEYS, JsonMember
from idbridge.db import queryset_update, rows_update
from idbridge.jobs.services import RunningJob

VALIDATE_CHUNK = 1000


def entry_action(entry: dict) -> str:
    action = str(entry.get("action") or entry.get("type") or "").lower()
    if entry.get("errors") or entry.get("conflicts") or action in ("error", "conflict"):
        return "error"
    if action in ("add", "create", "new"):
        return "add"
    if action in ("unchanged", "none") or (action in ("update", "") and changes_nothing(entry)):
        return "unchanged"
    return "update" if action in ("update", "change", "changed") else (action or "update")


NO_CHANGE_KEYS = {"staffNumber", "action", "personID", "errors", "notes", "conflicts"}
NO_CHANGE_PARTS = {"employment", "districtAssignments"}  # {"added": [], "updated": [], …}


def changes_nothing(entry: dict) -> bool:
    """An update entry of Campus's report that changes no field, identity, employment,
    position, title, household or address: the staff member is *unchanged*. A household
    Campus reports as updated counts as a change (one it says is already at the address
    sent does not), and so does any part of the entry in a shape this does not know."""
    for key, value in entry.items():
        if key in NO_CHANGE_KEYS or value in (None, "", False, [], {}):
            continue
        if key == "household":
            if not isinstance(value, dict) or value.get("action") not in (
                "none",
                "ignore",
                "unchanged",
            ):
                return False
        elif key in NO_CHANGE_PARTS:
            if not isinstance(value, dict) or any(v for k, v in value.items() if k != "keptLinked"):
                return False
        else:
            return False
    return True


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
    if actions:  # what the per-staff entries say (as the report page lists them) wins
        summary.update({"staff": sum(actions.values()), **actions})
    return summary


def run_validate(run: SyncRun, client, running: RunningJob) -> None:
    """Campus's report, read as it arrives and stored per staff member ``VALIDATE_CHUNK``
    entries at a time: memory follows the chunk, not the sync."""
    queryset_update(SyncStaff.objects.filter(run=run), report={}, action="", has_conflict=False)
    running.progress(0, total=run.staff_count)
    report = _Report(run, running)
    # Every array of the report is read element by element: the per-staff entries, and the
    # district-wide lists (staff to add, addresses to add) that grow with the sync too.
    for member in client.sync_validate_members(run.sync_id, stream=lambda key: True):
        report.take(member)
    report.store()
    advance(
        run,
        SyncRun.State.VALIDATED,
        report_summary=report_summary(report.members, report.lists, report.actions),
        validated_at=timezone.now(),
    )
    running.progress(report.done, total=run.staff_count)


@dataclass
class _Report:
    """What validate keeps of Campus's report as it streams past: the other members, the
    district-wide lists (their first ``LISTED`` items), the entries' actions, and the
    per-staff entries not stored yet."""

    run: SyncRun
    running: RunningJob
    members: dict = field(default_factory=dict)
    lists: dict[str, tuple[int, list]] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)
    pending: dict[str, dict] = field(default_factory=dict)
    done: int = 0

    def take(self, member: JsonMember) -> None:
        key, value, is_element = member
        if not is_element:
            self.members[key] = value
        elif key not in REPORT_ENTRY_KEYS:
            count, first = self.lists.get(key, (0, []))
            if count < LISTED:
                first.append(value)
            self.lists[key] = (count + 1, first)
        elif isinstance(value, dict):
            self.actions[entry_action(value)] += 1
            self.pending[str(value.get("staffNumber") or "")] = value
            if len(self.pending) >= VALIDATE_CHUNK:
                self.store()

    def store(self) -> None:
        """The pending entries onto their SyncStaff rows, with one UPDATE statement."""
        if not self.pending:
            return
        entries, self.pending = self.pending, {}
        items = list(
            SyncStaff.objects.filter(run=self.run, staff_number__in=list(entries)).only(
                "id", "staff_number"
            )
        )
        for item in items:
            item.report = entries[item.staff_number]
            item.action = entry_action(item.report)
            item.has_conflict = item.action == "error"
        rows_update(SyncStaff, items, ["report", "action", "has_conflict"])
        self.done += len(entries)
        self.running.progress(self.done)
