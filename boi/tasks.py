"""Thin Celery tasks of the Business Office console: ids in, one service, errors sorted.

The row check and the pre-flight take the id of their ``idbridge.jobs`` job: the job's
claim, heartbeat and failure handling are ``idbridge.jobs.services.job_execute``'s."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from idbridge.connectors.http import backoff
from idbridge.connectors.types import TransientCampusError

log = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3540)
def check_import(job_id: int):
    """Read and check every row of an uploaded HR file (bounded memory)."""
    from boi.services.import_check import hr_import_check

    hr_import_check(job_id=job_id)


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3540, max_retries=8)
def run_sync_step(self, job_id: int):
    """One wizard step's job; transient Campus errors retry with backoff, then fail it."""
    from boi.services.sync import steps
    from idbridge.jobs.services import job_fail

    try:
        steps.sync_step_run(job_id=job_id)
    except TransientCampusError as exc:
        if self.request.retries >= self.max_retries:
            job_fail(job_id, f"Gave up: {exc}")
            return
        countdown = exc.retry_after or backoff(self.request.retries, base=5, cap=300) + 1
        raise self.retry(exc=exc, countdown=countdown) from None


@shared_task(bind=True, acks_late=True, time_limit=120, soft_time_limit=110, max_retries=None)
def poll_commit_job(self, run_id: int):
    """Ask Campus for the commit job's status until it is done, then record the results."""
    from boi.models import SyncRun
    from boi.services.sync import commit_job, steps

    try:
        finished = commit_job.sync_commit_job_poll(run_id=run_id)
    except TransientCampusError as exc:
        log.warning("commit job status unavailable", extra={"run": run_id, "problem": str(exc)})
        finished = False
    if finished:
        return
    run = SyncRun.objects.filter(id=run_id).only("step_started_at").first()
    started = run.step_started_at if run else None
    if started and (timezone.now() - started).total_seconds() > settings.BOI_COMMIT_JOB_MAX_SECONDS:
        steps.sync_step_fail(
            run_id=run_id,
            step="commit",
            message="Campus's commit job did not finish in time: check Campus's error log.",
        )
        return
    raise self.retry(countdown=settings.BOI_JOB_POLL_SECONDS)


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3540, max_retries=5)
def run_preflight(self, job_id: int):
    """Address pre-flight and the check before sync, against Campus."""
    from boi.services import preflight
    from idbridge.jobs.services import job_fail

    try:
        preflight.preflight_run(job_id=job_id)
    except TransientCampusError as exc:
        if self.request.retries >= self.max_retries:
            job_fail(job_id, f"Campus did not answer: {exc}. Retry runs the pre-flight again.")
            return
        raise self.retry(
            exc=exc, countdown=exc.retry_after or backoff(self.request.retries, 5, 120)
        )
