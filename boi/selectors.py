"""Reads of the Business Office console, and the numbers its progress bars show."""

from __future__ import annotations

import zlib
from datetime import datetime

from django.db.models import Q

from boi.hrfile.code_suggest import CHOOSE_AT, suggest_campus_values
from boi.models import (
    Alert,
    BoiConnection,
    ErrorLogEntry,
    ErrorLogStaff,
    HrImport,
    HrRow,
    MappingProfile,
    MappingValue,
    SyncRun,
    SyncStaff,
)
from boi.services.sync.words import api_name_in_words, report_list_figure
from idbridge.jobs.progress import job_progress_info, progress_payload


def connection_list():
    return BoiConnection.objects.order_by("name")


def import_list(connection: BoiConnection | None = None):
    imports = HrImport.objects.select_related("connection", "uploaded_by")
    return imports.filter(connection=connection) if connection else imports


def profile_list(connection: BoiConnection):
    return MappingProfile.objects.filter(connection=connection)


def run_list():
    return SyncRun.objects.select_related("hr_import", "connection")


def alerts_open():
    return Alert.objects.filter(dismissed_at__isnull=True).select_related("run")[:20]


def row_list(hr_import: HrImport, *, show: str = "errors", q: str = ""):
    rows = HrRow.objects.filter(hr_import=hr_import)
    if show == "errors":
        rows = rows.filter(has_errors=True)
    elif show == "excluded":
        rows = rows.filter(is_excluded=True)
    elif show == "good":
        rows = rows.filter(has_errors=False)
    if q:
        rows = rows.filter(
            Q(staff_number__iexact=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q)
        )
    return rows.order_by("row_number")


def report_list(run: SyncRun, *, action: str = "", q: str = "", outcome: str = ""):
    staff = SyncStaff.objects.filter(run=run).select_related("row")
    if action == "conflicts":
        staff = staff.filter(has_conflict=True)
    elif action:
        staff = staff.filter(action=action)
    if outcome:
        staff = staff.filter(outcome=outcome)
    if q:
        staff = staff.filter(Q(staff_number__iexact=q) | Q(name__icontains=q))
    return staff.order_by("staff_number")


def error_log_list(*, action="", q="", since: datetime | None = None, run_id: int | None = None):
    entries = ErrorLogEntry.objects.select_related("run")
    if action:
        entries = entries.filter(action=action)
    if q:
        named = ErrorLogStaff.objects.filter(staff_number=q).values("entry_id")
        entries = entries.filter(Q(path__icontains=q) | Q(message__icontains=q) | Q(id__in=named))
    if since:
        entries = entries.filter(at__gte=since)
    if run_id:
        entries = entries.filter(run_id=run_id)
    return entries


def error_log_request(entry: ErrorLogEntry) -> bytes:
    """The entry's whole request body (JSON, SSNs masked) as it was sent."""
    if entry.request_gz:
        return zlib.decompress(bytes(entry.request_gz))
    return entry.payload.encode()  # an entry from before requests were kept whole


RUN_JOB_STATES = {"idle": "", "queued": "queued", "running": "running", "failed": "failed"}
WIZARD = ("start", "transfer", "end_transfer", "validate", "commit")
# The run state each step reaches once it is done (the order of SyncRun.State).
REACHED = ["not_started", "transferring", "transfer_ended", "validated", "committed"]
DONE_AT = {"start": 1, "transfer": 2, "end_transfer": 2, "validate": 3, "commit": 4}


def run_steps(run: SyncRun) -> list[dict]:
    """The wizard's step list: each step done, running (queued too), failed or waiting.
    Steps after the one running wait (a restart from Start redoes them)."""
    from boi.services.sync.runs import STEP_LABELS

    reached = REACHED.index(run.state)
    steps, current = [], False
    for step in WIZARD:
        if run.step == step and run.is_busy:
            status, current = "running", True
        elif run.step == step and run.job == SyncRun.Job.FAILED:
            status, current = "failed", True
        elif current:
            status = "waiting"
        elif reached >= DONE_AT[step] or (step == "transfer" and run.hr_fingerprint):
            status = "done"
        else:
            status = "waiting"
        steps.append({"step": step, "label": STEP_LABELS[step], "status": status})
    return steps


def run_progress(run: SyncRun, *, can_manage: bool = True) -> dict:
    """The run's state and its current step's job, in the progress shape of every long
    job (``idbridge.jobs.progress``)."""
    from boi.services.sync.runs import STEP_LABELS

    label = STEP_LABELS.get(run.step, run.step)
    if run.step_job_id:
        job = job_progress_info(run.step_job, can_manage=can_manage)
    else:  # a run from before step jobs
        job = progress_payload(
            state=RUN_JOB_STATES.get(run.job, run.job),
            done=0,
            total=None,
            unit="staff",
            error=run.last_error,
        )
    return {
        **job,
        "label": label,
        "step": label,
        "state": run.state,
        "state_label": run.get_state_display(),
        "step_label": label,
        "job": run.job,
        "job_label": run.get_job_display(),
        "last_error": run.last_error,
        "succeeded": run.succeeded_count,
        "failed": run.failed_count,
        "steps": run_steps(run),
    }


def import_progress(hr_import: HrImport, *, can_manage: bool = True) -> dict:
    """The import's numbers (status, rows, problem) and its row check's progress: the
    import page's status box (the pre-flight has a box and a job of its own)."""
    return {
        **job_progress_info(hr_import.check_job, can_manage=can_manage),
        "status": hr_import.status,
        "status_label": hr_import.get_status_display(),
        "rows": hr_import.row_count,
        "problem": hr_import.problem,
    }


def report_lists(summary: dict) -> list[tuple[str, str]]:
    """The validate report's district-wide lists as (label, figure): ("Staff to be added",
    "12 staff"), not ``staffToAdd``."""
    lists = []
    for key, value in summary.items():
        if key.endswith("_count") and isinstance(value, int):
            name = key.removesuffix("_count")
            lists.append((api_name_in_words(name), report_list_figure(name, value)))
    return lists


def refused_staff(run: SyncRun):
    """The staff Campus refused at transfer, with their HR rows, by row."""
    return (
        SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.REFUSED)
        .select_related("row")
        .order_by("row__row_number", "id")
    )


def run_outcomes_per_staff(run: SyncRun) -> bool:
    """Does the committed run know each staff member's outcome? Not when Campus's commit job
    reported counts only and some failed: which ones is in Campus's Business Office Error
    Log (the BOI API does not say)."""
    return not SyncStaff.objects.filter(run=run, outcome=SyncStaff.Outcome.PENDING).exists()


def unmapped_codes(hr_import: HrImport) -> list[dict]:
    """The HR codes the import's check could not map, each with how often the file uses it,
    the Campus list to choose from and a suggestion by name similarity (pre-chosen when
    close). Codes mapped since the check are left out."""
    connection = hr_import.connection
    mapped = set(MappingValue.objects.filter(connection=connection).values_list("kind", "hr_value"))
    rows = []
    for kind, uses in (hr_import.unmapped or {}).items():
        if kind not in MappingValue.CAMPUS_LIST:
            continue
        list_name, label = MappingValue.CAMPUS_LIST[kind]
        items = connection.campus_lists.get(list_name) or []
        names = {str(i.get("code")): i.get("name", "") for i in items}
        counts = uses if isinstance(uses, dict) else dict.fromkeys(uses, 0)
        counts = {v: n for v, n in counts.items() if (kind, v) not in mapped}
        suggestions = suggest_campus_values(counts, items)
        for hr_value, count in counts.items():
            code, score = suggestions[hr_value]
            rows.append(
                {
                    "kind": kind,
                    "kind_label": MappingValue.Kind(kind).label,
                    "campus_label": label,
                    "hr_value": hr_value,
                    "uses": count,
                    "suggestion": code,
                    "suggestion_name": names.get(code, ""),
                    "score": score,
                    "chosen": code if score >= CHOOSE_AT else "",
                }
            )
    return rows
