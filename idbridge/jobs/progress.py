"""One progress shape for every long job, read by ``static/idbridge/progress.js``.

``progress_payload`` builds it from plain numbers (so a record that is not a ``Job`` yet
can still speak it); ``job_progress_info`` from a ``Job``.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from idbridge.jobs.kinds import job_kind
from idbridge.jobs.models import Job
from idbridge.jobs.services import job_can_retry, job_is_stale, stale_reason
from idbridge.jobs.words import duration_words, progress_words, rate_words

BUSY = (Job.State.QUEUED, Job.State.RUNNING)


def recent_rate(
    done: int, since_done: int, since: datetime | None, until: datetime | None
) -> float | None:
    """Units per second between a sample and the last write (None: nothing to measure)."""
    if since is None or until is None or done <= since_done:
        return None
    seconds = (until - since).total_seconds()
    return (done - since_done) / seconds if seconds > 0 else None


def progress_payload(
    *,
    state: str,
    done: int,
    total: int | None,
    unit: str,
    rate: float | None = None,
    step: str = "",
    error: str = "",
    retry_url: str = "",
) -> dict:
    busy = state in BUSY
    left = None
    if busy and rate and total:
        left = max(total - done, 0) / rate
    return {
        "job_state": state,
        "busy": busy,
        "done": done,
        "total": total,
        "unit": unit,
        "words": progress_words(done, total, unit),
        "percent": round(100 * done / total) if total else None,
        "rate": round(rate, 1) if rate else None,
        "rate_words": rate_words(rate, unit),
        "eta_seconds": round(left) if left is not None else None,
        "time_left": duration_words(left),
        "step": step,
        "error": error,
        "retry_url": retry_url,
    }


def job_progress_info(job: Job | None, *, can_manage: bool = True) -> dict:
    """The job's progress; a job whose worker is gone (not swept yet) reads as failed."""
    if job is None:
        return progress_payload(state="", done=0, total=None, unit="")
    spec = job_kind(job.kind)
    state, error = job.state, job.error
    if job_is_stale(job):
        state, error = Job.State.FAILED, stale_reason(job)
    # Over the recent window only: a job that moved nothing in it shows no rate and no
    # time left (rather than an average dragged by its first seconds).
    rate = recent_rate(job.done, job.rate_done, job.rate_at, job.heartbeat_at)
    pace = spec.pace(job) if spec.pace else None
    if pace:  # a paced job goes in bursts: its pace is the honest rate, and its time left
        rate = min(rate, pace) if rate else pace
    retry = can_manage and job_can_retry(job)
    cancel = can_manage and spec.cancellable and state in BUSY
    pause = can_manage and spec.pausable and state in BUSY
    resume = can_manage and spec.pausable and state == Job.State.PAUSED
    return {
        "id": job.id,
        "kind": job.kind,
        "label": spec.label,
        "state": state,
        "state_label": Job.State(state).label,
        "attempts": job.attempts,
        "cancel_url": reverse("jobs:cancel", args=[job.id]) if cancel else "",
        "pause_url": reverse("jobs:pause", args=[job.id]) if pause else "",
        "resume_url": reverse("jobs:resume", args=[job.id]) if resume else "",
        **progress_payload(
            state=state,
            done=job.done,
            total=job.total,
            unit=job.unit,
            rate=rate,
            step=job.step,
            error=error,
            retry_url=reverse("jobs:retry", args=[job.id]) if retry else "",
        ),
    }
