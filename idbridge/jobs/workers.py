"""Which Celery worker runs a job, and what a worker starting again does about the jobs
its earlier self left running.

A job records the node name of the worker that claimed it (``Job.worker``). Node names are
unique among live workers (Celery's rule), so when a worker starts under a name, every job
still running under that name with a heartbeat from before the start lost its worker (it
was killed, the machine restarted): the worker settles them at once, as the sweeper would
JOBS_STALE_SECONDS later (failed with Retry, or queued again when resumable).
"""

from __future__ import annotations

import logging

from celery import current_task
from django.db.models import Q

log = logging.getLogger(__name__)


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
