"""A worker starting again resumes at once the commit jobs its earlier self was running,
instead of leaving them until their heartbeat goes stale; another worker's jobs, and any
that beat since the start, are left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from idbridge.jobs.workers import worker_start_settlers
from sandbox import tasks
from sandbox.boi import sync
from sandbox.boi.sync.jobs import commit_job_claim
from sandbox.models import CommitJob, SyncSession

pytestmark = pytest.mark.django_db

NODE = "celery@demo-host"


def _running(worker: str, beat_ago: timedelta) -> CommitJob:
    session = SyncSession.objects.create(started_by="HR system", status="committing")
    job = CommitJob.objects.create(session=session, total=10)
    assert commit_job_claim(job.pk, worker)
    CommitJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - beat_ago)
    return job


def test_a_worker_starting_again_resumes_the_commit_jobs_its_earlier_self_ran(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.commit_job_run, "delay_on_commit", sent.append)
    mine = _running(sync.commit_job_worker(NODE, "task-1"), timedelta(seconds=30))
    fresh = _running(sync.commit_job_worker(NODE, "task-2"), timedelta(0))
    theirs = _running(sync.commit_job_worker("celery@other", "t"), timedelta(seconds=30))
    lookalike = _running(sync.commit_job_worker(f"{NODE}2", "t"), timedelta(seconds=30))
    started = timezone.now() - timedelta(seconds=5)
    assert sync.commit_jobs_resume_for_worker in worker_start_settlers()
    assert sync.commit_jobs_resume_for_worker(NODE, started) == [mine.pk]
    assert sent == [mine.pk]
    states = dict(CommitJob.objects.values_list("pk", "status"))
    assert states == {
        mine.pk: "pending",  # claimable at once: the next run continues where it stopped
        fresh.pk: "running",  # beat since this worker started: not its earlier self's
        theirs.pk: "running",
        lookalike.pk: "running",
    }
    assert sync.commit_jobs_resume_for_worker("", started) == []
    assert commit_job_claim(mine.pk, sync.commit_job_worker(NODE, "task-3"))


def test_a_commit_job_records_the_worker_that_runs_it_by_its_node_name():
    worker = sync.commit_job_worker(NODE, "task-1")
    assert worker.startswith(f"{NODE}/") and worker.endswith("/task-1")
    assert len(sync.commit_job_worker("x" * 300, None)) == 200
