"""The sweeper: run every JOBS_SWEEP_SECONDS by Celery beat."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(time_limit=120, soft_time_limit=110)
def sweep_jobs():
    """Fail (or re-queue, when resumable) every running job whose worker is gone."""
    from idbridge.jobs.services import job_sweep

    touched = job_sweep()
    if touched:
        log.warning("stale jobs swept", extra={"jobs": touched})
    return touched
