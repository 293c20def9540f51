"""Every kind of job's progress and its Retry, Cancel, Pause and Resume, asked by each
persona: nobody without the kind's permission learns or changes anything, and a visitor
who is not signed in cannot tell whether a job exists."""

import pytest
from django.test import Client

from idbridge.jobs.kinds import job_kinds
from idbridge.jobs.models import Job

pytestmark = pytest.mark.django_db

ACTS = ["retry", "cancel", "pause", "resume"]


@pytest.fixture
def jobs(db):
    return [
        Job.objects.create(kind=kind.name, subject_id=1, state=Job.State.RUNNING)
        for kind in job_kinds()
    ]


def test_a_visitor_not_signed_in_is_sent_to_sign_in_whether_or_not_the_job_exists(jobs):
    visitor = Client()
    for job_id in [*(j.id for j in jobs), 999_999]:
        response = visitor.get(f"/jobs/{job_id}/progress/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        for act in ACTS:
            response = visitor.post(f"/jobs/{job_id}/{act}/")
            assert response.status_code == 302, (job_id, act)


def test_an_account_without_a_role_is_refused_every_job_existing_or_not(jobs, login, outsider):
    client = login(outsider)
    for job_id in [*(j.id for j in jobs), 999_999]:
        assert client.get(f"/jobs/{job_id}/progress/").status_code == 403
        for act in ACTS:
            assert client.post(f"/jobs/{job_id}/{act}/").status_code == 403


def test_an_auditor_reads_progress_but_changes_no_job_but_the_chain_check(jobs, login, auditor):
    client = login(auditor)
    for job in jobs:
        progress = client.get(f"/jobs/{job.id}/progress/")
        assert progress.status_code == 200
        if job.kind == "audit.verify":  # verifying the audit chain is the auditor's own job
            continue
        assert not progress.json().get("can_manage")
        for act in ACTS:
            assert client.post(f"/jobs/{job.id}/{act}/").status_code == 403
        job.refresh_from_db()
        assert job.state == Job.State.RUNNING
