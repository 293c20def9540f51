"""Commit jobs: submit, claim (conditional UPDATE), run or resume, and report progress."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from idbridge.audit.services import audit_record
from sandbox.boi.db import campus_tables_analyze
from sandbox.boi.sync.commit import CommitOutcome, commit_rows, pending_rows, sync_finish
from sandbox.boi.sync.session import BASE_PATH, Status, check_step, session_locked
from sandbox.models import (
    CommitJob,
    SyncSession,
)

log = logging.getLogger(__name__)


def commit_job_submit(*, session: SyncSession, actor) -> CommitJob:
    """``submitCommitJob``: a background job commits the sync; poll ``sync/jobs/latest``."""
    from sandbox.tasks import commit_job_run

    with transaction.atomic():
        session = session_locked(session)
        check_step(session, "commit_job")
        session.status = Status.COMMITTING
        session.save(update_fields=["status"])
        job = CommitJob.objects.create(session=session, total=pending_rows(session).count())
        audit_record(
            actor=actor,
            action="campus.boi_commit_job_submitted",
            target=session,
            details={"job": job.pk, "staff": job.total},
        )
        commit_job_run.delay_on_commit(job.pk)
    return job


def stale_before():
    return timezone.now() - timedelta(seconds=settings.CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS)


def commit_job_worker(node: str, task_id: str | None) -> str:
    """Who runs a job: the Celery worker's node name, then the process and the task
    (unique per run: a worker's pool runs several tasks at once)."""
    return f"{node}/{os.getpid()}/{task_id or '-'}"[:200]


def commit_jobs_resume_for_worker(node: str, started_at: datetime) -> list[int]:
    """The commit jobs the worker ``node``'s earlier self was running when it stopped
    (their last heartbeat before ``started_at``; node names are unique among live
    workers), given back and queued again at once: the next run continues from the first
    row still pending, instead of after CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS. Returns
    their ids. Run by every worker as it starts (``idbridge.jobs.workers``)."""
    from sandbox.tasks import commit_job_run

    if not node:
        return []
    left = CommitJob.objects.filter(
        Q(heartbeat_at__lt=started_at) | Q(heartbeat_at__isnull=True),
        status=CommitJob.Status.RUNNING,
        worker__startswith=f"{node}/",
    )
    resumed = []
    for job_id in left.values_list("pk", flat=True):
        if left.filter(pk=job_id).update(status=CommitJob.Status.PENDING):
            commit_job_run.delay_on_commit(job_id)
            resumed.append(job_id)
    return resumed


def commit_job_claim(job_id: int, worker: str) -> bool:
    """Claim a job that nobody runs: pending, or running with a heartbeat gone stale (its
    worker died). One conditional UPDATE: two workers never both win."""
    now = timezone.now()
    claimable = Q(status=CommitJob.Status.PENDING) | Q(
        status=CommitJob.Status.RUNNING, heartbeat_at__lt=stale_before()
    )
    return bool(
        CommitJob.objects.filter(claimable, pk=job_id).update(
            status=CommitJob.Status.RUNNING,
            worker=worker[:200],
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
        )
    )


def commit_job_release(job_id: int, worker: str) -> None:
    """Give a running job back (time limit reached): the next claim continues it."""
    CommitJob.objects.filter(pk=job_id, worker=worker, status=CommitJob.Status.RUNNING).update(
        status=CommitJob.Status.PENDING
    )


def _still_mine(job_id: int, worker: str) -> bool:
    """Whether the worker still holds the job (and, if so, its heartbeat now)."""
    return bool(
        CommitJob.objects.filter(pk=job_id, worker=worker, status=CommitJob.Status.RUNNING).update(
            heartbeat_at=timezone.now()
        )
    )


def _job_failed(job: CommitJob, worker: str, exc: Exception) -> None:
    """The job failed: it says why, and its sync may be committed again."""
    CommitJob.objects.filter(pk=job.pk, worker=worker).update(
        status=CommitJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
    )
    SyncSession.objects.filter(pk=job.session_id, status=Status.COMMITTING).update(
        status=Status.VALIDATED
    )


def _job_finish(job: CommitJob, worker: str) -> str:
    """Every row is done: the job succeeded and its sync is committed, if still ours."""
    with transaction.atomic():
        finished = CommitJob.objects.filter(
            pk=job.pk, worker=worker, status=CommitJob.Status.RUNNING
        ).update(status=CommitJob.Status.SUCCEEDED, finished_at=timezone.now())
        if not finished:
            return "lost the claim"
        job.refresh_from_db()
        sync_finish(
            job.session,
            actor=f"campus:commit-job:{job.pk}",
            succeeded=job.succeeded,
            failed=job.failed,
        )
    return "succeeded"


def commit_job_run(job_id: int, *, worker: str, before_batch=lambda: None) -> str:
    """Run (or resume) a commit job; returns what happened. Safe to call twice."""
    if not commit_job_claim(job_id, worker):
        return "not claimed"
    job = CommitJob.objects.select_related("session").get(pk=job_id)
    session = job.session
    campus_tables_analyze()  # a big staging or seeding may have left them stale
    try:
        commit_rows(
            session,
            job_id=job_id,
            still_mine=lambda: _still_mine(job_id, worker),
            method="COMMIT",
            path=f"{BASE_PATH}/sync/{session.pk}/submitCommitJob",
            outcome=_no_details(),
            before_batch=before_batch,
        )
    except Exception as exc:
        _job_failed(job, worker, exc)
        raise
    if pending_rows(session).exists():
        return "lost the claim"
    return _job_finish(job, worker)


def _no_details() -> CommitOutcome:
    outcome = CommitOutcome()
    outcome.keep_details = False  # a 50,000-staff job keeps counts in the database only
    return outcome


def commit_jobs_stale() -> list[int]:
    """Jobs whose worker is gone: running with a stale heartbeat, or pending too long."""
    stale = stale_before()
    return list(
        CommitJob.objects.filter(
            Q(status=CommitJob.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=CommitJob.Status.PENDING, created_at__lt=stale)
        ).values_list("pk", flat=True)
    )


def commit_job_latest() -> CommitJob | None:
    return CommitJob.objects.select_related("session").order_by("-created_at", "-id").first()


def job_to_api(job: CommitJob) -> dict:
    return {
        "jobID": job.pk,
        "syncID": job.session_id,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total},
        "counts": {"succeeded": job.succeeded, "failed": job.failed},
        "attempts": job.attempts,
        "createdAt": job.created_at.isoformat(),
        "startedAt": job.started_at and job.started_at.isoformat(),
        "finishedAt": job.finished_at and job.finished_at.isoformat(),
        "error": job.error or None,
    }
