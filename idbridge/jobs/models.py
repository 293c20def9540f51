"""The record every long job keeps: what it works on, its state, claim, heartbeat and
progress.

Why one concrete ``Job`` model that the app records point to (``HrImport.check_job``,
``HrImport.preflight_job``) rather than an abstract model mixed into each of them: an HR
import has two long jobs (the row check and the pre-flight), a sync run one per step, so
an abstract model would have to be mixed in several times under different field names,
and every claim, heartbeat, sweep and progress query would be written once per record.
With one table, ``idbridge.jobs.services`` holds the only implementation, the sweeper is
one query over one index, and one view serves every job's progress. The app record keeps
what the job *found* (rows, summaries, Campus state); the job keeps how it is *going*.
"""

from django.db import models
from django.utils import timezone


class Job(models.Model):
    """One long task on one record (``kind`` says which task and which record type)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        PAUSED = "paused", "Paused"  # by an operator; Resume queues it again

    kind = models.CharField(max_length=40)  # a registered kind (idbridge.jobs.kinds)
    subject_id = models.PositiveBigIntegerField()  # the record it works on
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    claim = models.CharField(max_length=64, blank=True)  # the running worker's token
    # The Celery worker (its node name) running it: a worker that starts again under that
    # name knows its earlier self's jobs lost their worker (``job_sweep_worker``).
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)  # rows, bytes, checks, staff …
    step = models.CharField(max_length=100, blank=True)  # the current step's label
    # A recent progress sample, for an honest rate: (rate_done at rate_at).
    rate_done = models.PositiveBigIntegerField(default=0)
    rate_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # a sentence an operator can act on
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "heartbeat_at"], name="jobs_state_heartbeat"),
            models.Index(fields=["kind", "subject_id"], name="jobs_kind_subject"),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject_id} ({self.state})"

    @property
    def is_busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
