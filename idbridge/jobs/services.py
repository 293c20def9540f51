"""A long job's life: queue → claim → progress/heartbeat → succeed | fail; retry, cancel,
pause and resume, and the sweeper that fails (or re-queues) a job whose worker is gone.

Every change of state is one conditional UPDATE, so two workers never both hold a job:
``job_claim`` takes a queued job, or a running one whose heartbeat is older than
``JOBS_STALE_SECONDS`` (its worker is gone), and gives the claimant a token; progress,
success and failure only write while that token still holds the claim. A job whose claim
was taken away (swept, cancelled, claimed again) learns it at its next progress write
(``JobLost``) and stops.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.jobs.heartbeat import HeartbeatThread
from idbridge.jobs.kinds import job_kind
from idbridge.jobs.models import Job
from idbridge.jobs.rates import rate_samples_keep
from idbridge.jobs.words import progress_words
from idbridge.jobs.workers import worker_name

log = logging.getLogger(__name__)
State = Job.State


class JobLost(Exception):
    """The job is no longer this worker's (swept, cancelled or claimed by another)."""


class JobProblem(Exception):
    """A failure whose message an operator can act on: it becomes the job's error as is."""


def stale_before():
    return timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS)


def job_queue(*, kind: str, subject_id: int, total: int | None = None) -> Job:
    """A new queued job, its task sent once the transaction commits."""
    spec = job_kind(kind)
    job = Job.objects.create(kind=kind, subject_id=subject_id, total=total, unit=spec.unit)
    spec.task.delay_on_commit(job.id)
    return job


# --- the worker's side ---------------------------------------------------------------------


class RunningJob:
    """A claimed job, as its body sees it: report progress, check the claim."""

    def __init__(self, job: Job, token: str):
        self.job, self.token = job, token
        self.id, self.subject_id = job.id, job.subject_id
        self._written = 0.0
        self.handed_off = False
        # (at, done) of the recent writes, oldest first: the rate's moving window. A job
        # carried on by another task (a commit job's next poll) starts from what is stored.
        self._samples: list[tuple] = [
            (at, done)
            for at, done in ((job.rate_at, job.rate_done), (job.heartbeat_at, job.done))
            if at is not None
        ]
        self.again_after: float | None = None
        self.noted: int | None = None  # the last progress noted, written or not

    def progress(self, done: int, *, total: int | None = None, step: str | None = None) -> None:
        """Note progress: one UPDATE at most every JOBS_PROGRESS_SECONDS (and whenever the
        total or the step changes). Raises JobLost when the job is no longer ours."""
        now = time.monotonic()
        self.noted = done
        if total is None and step is None and now - self._written < settings.JOBS_PROGRESS_SECONDS:
            return
        self._written = now
        at = timezone.now()
        self._samples = rate_samples_keep(self._samples, at, settings.JOBS_RATE_WINDOW_SECONDS)
        since = self._samples[0] if self._samples else (at, done)
        self._samples.append((at, done))
        try:
            held = job_progress(
                self.id, self.token, done, total=total, step=step, at=at, rate_since=since
            )
        except OperationalError:
            # SQLite busy with another writer ("database is locked"): progress is not worth
            # failing the job for; the next write (or the heartbeat thread) gets through.
            if connections["default"].in_atomic_block or total is not None or step is not None:
                raise
            log.warning("job progress not written", extra={"job": self.id}, exc_info=True)
            return
        if not held:
            raise JobLost(self.id)

    def heartbeat(self) -> None:
        if not job_heartbeat(self.id, self.token):
            raise JobLost(self.id)

    def hold(self) -> None:
        """Lock the job's row in the current transaction, or raise JobLost when it is no
        longer ours: what that transaction writes cannot cross a pause or a cancel."""
        if not _held(self.id, self.token).select_for_update().exists():
            raise JobLost(self.id)

    def hand_off(self) -> None:
        """The body returns but the job goes on elsewhere (another task polls what it
        started): it stays running under this claim, for that task to beat and finish
        (``job_resume``)."""
        self.handed_off = True

    def again_in(self, seconds: float) -> None:
        """The body returns and runs again in ``seconds`` under the same claim: a paced job
        does a batch, then reschedules itself (a countdown) instead of sleeping in a
        worker. Its task is sent ``(job_id, token=…)``; a message whose token no longer
        holds the claim (paused, cancelled, swept and claimed again) does nothing."""
        self.handed_off = True
        self.again_after = max(float(seconds), 0.0)

    def succeed(self) -> None:
        """Finish now, e.g. in the transaction that records the job's outcome (the job
        then never reads "running" after its outcome is written)."""
        job_succeed(self)


def job_claim(job_id: int) -> RunningJob | None:
    """Claim a queued job, or a running one whose worker is gone; None when not ours."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimable = Q(state=State.QUEUED) | Q(state=State.RUNNING, heartbeat_at__lt=stale_before())
    claimed = Job.objects.filter(claimable, id=job_id).update(
        state=State.RUNNING,
        claim=token,
        worker=worker_name(),
        heartbeat_at=now,
        started_at=now,
        finished_at=None,
        rate_at=now,
        rate_done=F("done"),
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return RunningJob(Job.objects.get(id=job_id), token)


def _held(job_id: int, token: str):
    return Job.objects.filter(id=job_id, claim=token, state=State.RUNNING)


def job_resume(job_id: int, token: str | None = None) -> RunningJob | None:
    """A handed-off job, for the task that carries it on (same claim); None unless it is
    still running (under ``token``'s claim, when given)."""
    jobs = Job.objects.filter(id=job_id, state=State.RUNNING)
    job = (jobs.filter(claim=token) if token is not None else jobs).first()
    if job is None:
        return None
    if (worker := worker_name()) and job.worker != worker:  # carried on by another worker
        Job.objects.filter(id=job.id, claim=job.claim).update(worker=worker)
    return RunningJob(job, job.claim)


def job_heartbeat(job_id: int, token: str) -> bool:
    return bool(_held(job_id, token).update(heartbeat_at=timezone.now()))


def job_progress(
    job_id: int,
    token: str,
    done: int,
    *,
    total: int | None = None,
    step: str | None = None,
    at=None,
    rate_since: tuple | None = None,
) -> bool:
    """One UPDATE: progress, heartbeat, and where the rate's moving window starts
    (``rate_since``: the (at, done) sample about JOBS_RATE_WINDOW_SECONDS back)."""
    now = at or timezone.now()
    fields = {"done": done, "heartbeat_at": now}
    if rate_since is not None:
        fields["rate_at"], fields["rate_done"] = rate_since
    if total is not None:
        fields["total"] = total
    if step is not None:
        fields["step"] = step[:100]
    return bool(_held(job_id, token).update(**fields))


def job_succeed(running: RunningJob) -> bool:
    """Succeeded, with the last progress noted (a throttled write may have skipped it)."""
    fields = {"state": State.SUCCEEDED, "finished_at": timezone.now()}
    if running.noted is not None:
        fields["done"] = running.noted
    return bool(_held(running.id, running.token).update(**fields))


def job_release(running: RunningJob, reason: str) -> None:
    """Back to queued (a transient failure the task retries); the claim is given up."""
    _held(running.id, running.token).update(state=State.QUEUED, claim="", error=reason[:2000])


def job_fail(job_id: int, reason: str, *, token: str | None = None) -> bool:
    """Mark the job failed (only while ``token`` holds it, when given) with ``reason``, and
    let its app record the failure (error log, alert, its own status): one transaction."""
    jobs = Job.objects.filter(id=job_id, state__in=[State.QUEUED, State.RUNNING])
    if token is not None:
        jobs = jobs.filter(claim=token)
    with transaction.atomic():
        if not jobs.update(state=State.FAILED, error=reason, finished_at=timezone.now(), claim=""):
            return False
        job = Job.objects.get(id=job_id)
        spec = job_kind(job.kind)
        if spec.on_fail:
            spec.on_fail(job)
    log.warning("job failed", extra={"job": job_id, "kind": job.kind, "problem": reason})
    return True


# --- the operator's side -------------------------------------------------------------------


def job_is_stale(job: Job) -> bool:
    return job.state == State.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < stale_before()
    )


def job_can_retry(job: Job) -> bool:
    if not job_kind(job.kind).retryable:
        return False
    return job.state in (State.FAILED, State.CANCELLED) or job_is_stale(job)


def _kind_of(job_id: int):
    kind = Job.objects.filter(id=job_id).values_list("kind", flat=True).first()
    return job_kind(kind) if kind is not None else None


def job_retry(job_id: int, *, actor="system") -> Job | None:
    """A failed, cancelled or stale job → queued again, its task sent on commit; None when
    the job is not in a state to retry (it is queued, running or finished)."""
    retryable = Q(state__in=[State.FAILED, State.CANCELLED]) | Q(
        state=State.RUNNING, heartbeat_at__lt=stale_before()
    )
    spec = _kind_of(job_id)
    if spec is None or not spec.retryable:
        return None
    with transaction.atomic():
        if not Job.objects.filter(retryable, id=job_id).update(
            state=State.QUEUED, claim="", error="", done=0, step="", finished_at=None
        ):
            return None
        job = Job.objects.get(id=job_id)
        if spec.on_retry:
            spec.on_retry(job)
        audit_record(
            actor=actor,
            action="jobs.retried",
            target=job,
            details={"kind": job.kind, "subject": job.subject_id, "attempts": job.attempts},
        )
        spec.task.delay_on_commit(job.id)
    return job


def _job_stop(job_id: int, *, to: str, action: str, actor, **fields) -> Job | None:
    """A queued or running job → ``to`` (its claim given up, so its worker stops at its
    next progress write or hold), audited as ``action``; None when it was neither."""
    with transaction.atomic():
        if not Job.objects.filter(id=job_id, state__in=[State.QUEUED, State.RUNNING]).update(
            state=to, claim="", **fields
        ):
            return None
        job = Job.objects.get(id=job_id)
        audit_record(
            actor=actor,
            action=action,
            target=job,
            details={"kind": job.kind, "subject": job.subject_id, "done": job.done},
        )
    return job


def job_cancel(job_id: int, *, actor="system") -> bool:
    """Stop a queued or running job of a cancellable kind: its worker stops at its next
    progress write; Retry runs it again."""
    spec = _kind_of(job_id)
    if spec is None or not spec.cancellable:
        return False
    with transaction.atomic():
        job = _job_stop(
            job_id,
            to=State.CANCELLED,
            action="jobs.cancelled",
            actor=actor,
            finished_at=timezone.now(),
        )
        if job is not None and spec.on_cancel:
            spec.on_cancel(job)
    return job is not None


def job_pause(job_id: int, *, actor="system") -> bool:
    """Pause a queued or running job of a pausable kind: its worker stops at its next
    progress write or hold (a scheduled run finds its claim gone); Resume queues it."""
    spec = _kind_of(job_id)
    if spec is None or not spec.pausable:
        return False
    return _job_stop(job_id, to=State.PAUSED, action="jobs.paused", actor=actor) is not None


def job_continue(job_id: int, *, actor="system") -> Job | None:
    """A paused job → queued again, its task sent on commit (it carries on from where it
    stopped: its body knows what is done); None when it is not paused."""
    with transaction.atomic():
        if not Job.objects.filter(id=job_id, state=State.PAUSED).update(
            state=State.QUEUED, claim="", heartbeat_at=timezone.now()
        ):
            return None
        job = Job.objects.get(id=job_id)
        audit_record(
            actor=actor,
            action="jobs.resumed",
            target=job,
            details={"kind": job.kind, "subject": job.subject_id, "done": job.done},
        )
        job_kind(job.kind).task.delay_on_commit(job.id)
    return job


# --- the sweeper ---------------------------------------------------------------------------


def stale_reason(job: Job) -> str:
    spec = job_kind(job.kind)
    last = progress_words(job.done, job.total, job.unit)
    return f"The worker stopped while {spec.doing} (last progress {last}). {spec.after_stop}"


def job_sweep() -> list[int]:
    """Every running job whose heartbeat is older than JOBS_STALE_SECONDS: failed, or
    queued again when its kind is resumable; every job queued for longer than
    JOBS_QUEUED_RESEND_SECONDS: its task sent again (a lost message; a duplicate finds
    the job claimed and does nothing). Returns the ids it failed or re-queued."""
    stale = Job.objects.filter(state=State.RUNNING).filter(
        Q(heartbeat_at__lt=stale_before()) | Q(heartbeat_at__isnull=True)
    )
    touched = stale_settle(stale)
    _resend_waiting()
    return touched


def stale_settle(stale) -> list[int]:
    """Each job of ``stale`` (running, its worker gone): failed, or queued again when its
    kind is resumable. Returns the ids it failed or re-queued."""
    touched = []
    for job in stale.only("id", "kind", "subject_id", "done", "total", "unit", "claim"):
        spec = job_kind(job.kind)
        resumable = spec.resumable(job) if callable(spec.resumable) else spec.resumable
        if resumable:
            if Job.objects.filter(id=job.id, claim=job.claim, state=State.RUNNING).update(
                state=State.QUEUED, claim=""
            ):
                spec.task.delay_on_commit(job.id)
                touched.append(job.id)
        elif job_fail(job.id, stale_reason(job), token=job.claim):
            touched.append(job.id)
    return touched


def _resend_waiting() -> None:
    """Queued jobs nobody took for a long time. ``heartbeat_at`` of a queued job is when
    its task was last sent (or its last worker's last beat, when it was given back)."""
    limit = timezone.now() - timedelta(seconds=settings.JOBS_QUEUED_RESEND_SECONDS)
    waiting = Job.objects.filter(state=State.QUEUED, created_at__lt=limit).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True)
    )
    for job in waiting.only("id", "kind"):
        if Job.objects.filter(id=job.id, state=State.QUEUED).update(heartbeat_at=timezone.now()):
            log.warning("queued job sent again", extra={"job": job.id, "kind": job.kind})
            job_kind(job.kind).task.delay_on_commit(job.id)


# --- running a body ------------------------------------------------------------------------


def job_execute(
    job_id: int,
    body: Callable[[RunningJob], object],
    *,
    token: str | None = None,
    release_on: tuple[type[BaseException], ...] = (),
    readable: tuple[type[BaseException], ...] = (),
):
    """Claim the job (or, with ``token``, carry on under the claim a previous run
    rescheduled it with: ``RunningJob.again_in``) and run ``body``; None when the job is
    not ours to run.

    The body's result is returned and the job succeeds (or runs again later). An
    exception in ``release_on`` gives the job back to the queue and is raised again (the
    task retries it); one in ``readable`` (or a ``JobProblem``) fails the job with its own
    message; any other fails it with a plain sentence, the stack trace going to the log
    only."""
    running = job_claim(job_id) if token is None else job_resume(job_id, token)
    if running is None:
        log.info("job not claimed", extra={"job": job_id})
        return None
    try:
        beat = partial(job_heartbeat, running.id, running.token)
        with HeartbeatThread(beat, settings.JOBS_HEARTBEAT_SECONDS, f"job-{running.id}"):
            result = body(running)
    except JobLost:
        log.warning("job lost its claim", extra={"job": job_id})
        return None
    except release_on as exc:
        job_release(running, str(exc))
        raise
    except (JobProblem, *readable) as exc:
        job_fail(job_id, str(exc), token=running.token)
        return None
    except Exception as exc:
        log.exception("job failed", extra={"job": job_id})
        job_fail(job_id, unexpected_reason(running.job, exc), token=running.token)
        return None
    if running.again_after is not None:
        job_kind(running.job.kind).task.apply_async(
            (job_id,), {"token": running.token}, countdown=running.again_after
        )
    elif not running.handed_off:
        job_succeed(running)
    return result


def unexpected_reason(job: Job, exc: BaseException) -> str:
    spec = job_kind(job.kind)
    return (
        f"{spec.label} stopped on an unexpected error ({type(exc).__name__}) while "
        f"{spec.doing}. The details are in the server log. {spec.after_stop}"
    )
