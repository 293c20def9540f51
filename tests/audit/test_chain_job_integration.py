"""The chain check job on the production stack: PostgreSQL, Redis and a real Celery worker.
A log too long for the page is checked by the worker, with its result on the audit page;
a check whose worker died reads "failed" with Retry, and Retry runs it to the end."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from idbridge.audit.services import audit_record, audit_seal
from idbridge.jobs.models import Job
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def _finished(job_id):
    return Job.objects.filter(id=job_id, state=Job.State.SUCCEEDED).first()


def test_the_worker_checks_a_long_log_and_a_dead_check_is_retried(
    transactional_db, celery_worker, login, auditor, settings
):
    settings.AUDIT_CHECK_IN_PAGE_MAX = 10
    for n in range(25):
        audit_record(actor="staff:S1", action="staff.case.invite", details={"n": n})
    audit_seal(grace_seconds=0)
    client = login(auditor)
    client.post("/audit/check/")
    job = wait_for(lambda: _finished(Job.objects.get(kind="audit.verify").id), timeout=60)
    assert (job.done, job.total) == (25, 25)
    page = client.get("/audit/").content.decode()
    assert "The last chain check: The chain is intact: all 25 sealed entries link up." in page

    # A check whose worker died: running, with a heartbeat older than JOBS_STALE_SECONDS.
    stale = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 60)
    dead = Job.objects.create(
        kind="audit.verify",
        subject_id=auditor.pk,
        state=Job.State.RUNNING,
        claim="gone",
        heartbeat_at=stale,
        done=5,
        total=25,
        unit="entries",
        attempts=1,
    )
    page = client.get("/audit/").content.decode()
    assert "The chain check failed." in page
    assert escape("The worker stopped while checking the links of the audit chain") in page
    assert f'action="/jobs/{dead.id}/retry/"' in page
    client.post(f"/jobs/{dead.id}/retry/")
    assert wait_for(lambda: _finished(dead.id), timeout=60).done >= 25
