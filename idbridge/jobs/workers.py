"""Which Celery worker runs a job, and what a worker starting again does about the jobs
its earlier self left running.

A job records the node name of the worker that claimed it (``Job.worker``). Node names are
unique among live workers (Celery's rule), so when a worker starts under a name, every job
still running under that name with a heartbeat from before the start lost its worker (it
was killed, the machine restarted): the worker settles them at once, as the sweeper would
JOBS_STALE_SECONDS later (failed with Retry, or queued again when resumable). An app with
jobs of its own (the Campus sandbox's commit jobs) registers how it settles them with
:func:`worker_start_hook`; the worker runs every one as it starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from celery import current_task
from django.db.models import Q

log = logging.getLogger(__name__)

# settle(worker, started_at) -> the ids of the jobs it settled.
WorkerStartSettle = Callable[[str, datetime], list]
_settlers: list[WorkerStartSettle] = []


def worker_name() -> str:
    """The node name of the Celery worker running the current task ("" outside one, and
    for a task run in place: ``apply``)."""
    request = current_task.request if current_task else None
    if request is None or getattr(request, "is_eager", False):
        return ""
    return (getattr(request, "hostname", None) or "")[:200]


def job_sweep_worker(worker: str, started_at) -> list[int]:
    """The jobs ``worker``'s earlier self was running when it stopped (their last
    heartbeat before ``started_at``), settled as stale; returns their ids."""
    from idbridge.jobs.models import Job
    from idbridge.jobs.services import stale_settle

    if not worker:
        return []
    left = Job.objects.filter(state=Job.State.RUNNING, worker=worker[:200]).filter(
        Q(heartbeat_at__lt=started_at) | Q(heartbeat_at__isnull=True)
    )
    return stale_settle(left)


def worker_start_hook(settle: WorkerStartSettle) -> None:
    """Have ``settle(worker, started_at)`` run as a worker starts, after idbridge's own
    :func:`job_sweep_worker`: it settles an app's own jobs that ``worker``'s earlier self
    was running when it stopped, and returns their ids. Registered once (an app's
    ``ready()``)."""
    if settle not in _settlers:
        _settlers.append(settle)


def worker_start_settlers() -> list[WorkerStartSettle]:
    """What a starting worker runs: idbridge's own sweep, then each app's."""
    return [job_sweep_worker, *_settlers]
