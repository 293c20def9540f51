"""The sweeper: run every JOBS_SWEEP_SECONDS by Celery beat, and by a worker as it starts
for the jobs its earlier self left running (``idbridge.jobs.workers``)."""

import logging

from celery import shared_task
from celery.signals import celeryd_init, worker_ready
from django.db import connections
from django.utils import timezone

log = logging.getLogger(__name__)
_started: dict = {}  # this worker's node name and when it started


@shared_task(time_limit=120, soft_time_limit=110)
def sweep_jobs():
    """Fail (or re-queue, when resumable) every running job whose worker is gone."""
    from idbridge.jobs.services import job_sweep

    touched = job_sweep()
    if touched:
        log.warning("stale jobs swept", extra={"jobs": touched})
    return touched


@celeryd_init.connect
def _worker_starting(sender=None, **kwargs):
    _started.update(worker=str(sender or ""), at=timezone.now())


@worker_ready.connect
def _sweep_on_worker_start(sender=None, **kwargs):
    """Settle at once the jobs this worker's earlier self was running when it stopped:
    idbridge's and each app's that registered how (``worker_start_hook``)."""
    from idbridge.jobs.workers import worker_start_settlers

    worker = getattr(sender, "hostname", None) or _started.get("worker", "")
    started_at = _started.get("at") or timezone.now()
    try:
        for settle in worker_start_settlers():
            _settle(settle, worker, started_at)
    finally:
        connections.close_all()


def _settle(settle, worker: str, started_at) -> None:
    try:
        touched = settle(worker, started_at)
    except Exception:  # noqa: BLE001 - the sweeper (beat) settles them later
        log.warning(
            "jobs left by an earlier worker not swept",
            exc_info=True,
            extra={"sweep": getattr(settle, "__qualname__", "")},
        )
        return
    if touched:
        log.warning("jobs of an earlier worker swept", extra={"jobs": touched, "worker": worker})
