"""The kinds of long job: each app describes its own once (usually in its ``AppConfig``).

``idbridge`` imports no app, so what a failure means for the app's records (an error-log
entry, an alert, the record's own status) is the app's ``on_fail`` hook, called by
``idbridge.jobs.services.job_fail`` in the same transaction as the job's own update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobKind:
    name: str  # "boi.preflight"
    label: str  # "Pre-flight", as a sentence starts
    doing: str  # "checking addresses and staff in Campus", after "while"
    unit: str  # the progress unit: rows, bytes, checks, staff
    task: Any  # the Celery task that runs a job: task(job_id), or task(job_id, token=…)
    page_url: Callable[[Any], str]  # the page that shows the job (Retry returns there)
    view_permission: str
    manage_permission: str
    on_fail: Callable[[Any], None] | None = None  # the app's records, error log, alert
    on_retry: Callable[[Any], None] | None = None  # the app's records, before re-queueing
    cancellable: bool = False  # the operator may stop it (it writes nothing to Campus)
    on_cancel: Callable[[Any], None] | None = None  # the app's records, once cancelled
    pausable: bool = False  # the operator may pause it and resume it later
    # A paced job: the most units per second it may go (None: no limit). Its rate never
    # reads faster, and its time left follows the pace.
    pace: Callable[[Any], float | None] | None = None
    # A stale job is queued again instead of failed (a callable: job → bool, per job).
    resumable: bool | Callable[[Any], bool] = False
    # False when running it again could do twice what may already be done (Campus may
    # have committed): the operator is told what to do instead (``after_stop``).
    retryable: bool = True
    after_stop: str = "Retry runs it again."  # said after a failure's cause
    # Kinds that do the same work on a record (a poll and a full reconciliation of one
    # connection): a later job of the family that succeeds settles an earlier one's failure
    # on the home page (empty: the kind alone).
    family: str = ""

    @property
    def family_name(self) -> str:
        return self.family or self.name


_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def job_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered") from None


def job_kinds() -> list[JobKind]:
    """Every registered kind (each app registers its own when Django sets it up)."""
    return list(_KINDS.values())
