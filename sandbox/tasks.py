"""Celery tasks of the Campus sandbox: the BOI commit job and its recovery.

``commit_job_run`` is idempotent: it claims the job with a conditional UPDATE (pending, or
running with a stale heartbeat), commits the pending staged rows batch by batch (each
batch in one transaction with its markers) and finishes once. A worker killed mid-job
leaves a running job with a heartbeat that goes stale; ``commit_jobs_resume`` (beat, and
every worker as it starts) hands it to a live worker, which continues from the first row
still pending. The same worker starting again (the demo restarts it) queues again at once
the jobs its earlier self was running (``sync.commit_jobs_resume_for_worker``, run at its
start through ``idbridge.jobs.workers``), without waiting for their heartbeat to go stale.
The broker redelivering the original message later (``acks_late``) finds nothing to claim.
"""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings

from idbridge.jobs.workers import worker_name
from sandbox import faults
from sandbox.boi import sync

log = logging.getLogger(__name__)

COMMIT_BATCH_ENDPOINT = "boi.commitBatch"  # the fault switchboard's latency slows batches


def _before_batch() -> None:
    # Only latency applies here (tests use it to kill a worker mid-job).
    faults.intercept(COMMIT_BATCH_ENDPOINT)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.CAMPUS_SANDBOX_BOI_COMMIT_TIME_LIMIT_SECONDS,
    soft_time_limit=max(30, settings.CAMPUS_SANDBOX_BOI_COMMIT_TIME_LIMIT_SECONDS - 60),
)
def commit_job_run(self, job_id: int):
    worker = sync.commit_job_worker(worker_name() or socket.gethostname(), self.request.id)
    try:
        outcome = sync.commit_job_run(job_id, worker=worker, before_batch=_before_batch)
    except SoftTimeLimitExceeded:
        # Not an error: give the job back and let a fresh task continue where this stopped.
        sync.commit_job_release(job_id, worker)
        commit_job_run.delay(job_id)
        log.warning(
            "commit job hit its time limit; continuing in a new task", extra={"job": job_id}
        )
        return "continued"
    log.info("commit job run", extra={"job": job_id, "outcome": outcome})
    return outcome


@shared_task(time_limit=60)
def commit_jobs_resume():
    """Hand every job whose worker is gone to a live worker."""
    stale = sync.commit_jobs_stale()
    for job_id in stale:
        commit_job_run.delay(job_id)
    if stale:
        log.warning("resuming commit jobs", extra={"jobs": stale})
    return stale


@worker_ready.connect
def _resume_on_worker_start(sender=None, **kwargs):
    """A worker coming up (say after a crash) looks for jobs left behind at once."""
    try:
        commit_jobs_resume.delay()
    except Exception:  # noqa: BLE001 - the beat schedule will try again
        log.warning("could not enqueue commit_jobs_resume at worker start", exc_info=True)
