"""The chain check as a long job: a log too long to check in a web request
(``AUDIT_CHECK_IN_PAGE_MAX``) is checked by a worker, with progress in entries, a
heartbeat, and "failed — Retry" on the audit page when the worker dies. The result is
the ``audit.verified`` entry the check writes (its details name the job)."""

from __future__ import annotations

from django.urls import reverse

from idbridge.audit.models import AuditEntry
from idbridge.jobs.kinds import JobKind, job_kind_register
from idbridge.jobs.models import Job
from idbridge.jobs.services import job_queue

VERIFY = "audit.verify"


def register() -> None:
    from idbridge.audit.tasks import verify_audit_chain

    job_kind_register(
        JobKind(
            name=VERIFY,
            label="The chain check",
            doing="checking the links of the audit chain",
            unit="entries",
            task=verify_audit_chain,
            page_url=lambda job: reverse("audit:list"),
            view_permission="core.view_audit",
            manage_permission="core.view_audit",
        )
    )


def chain_check_queue(*, actor) -> Job:
    """A chain check job for ``actor`` (whose name the result is audited under); one that
    is already queued or running is given back instead of a second."""
    busy = Job.objects.filter(kind=VERIFY, state__in=[Job.State.QUEUED, Job.State.RUNNING])
    if job := busy.first():
        return job
    total = AuditEntry.objects.exclude(seq=None).count()
    return job_queue(kind=VERIFY, subject_id=actor.pk, total=total)


def chain_check_latest() -> tuple[Job | None, str, bool | None]:
    """The latest chain check job, and once it finished, its result in words and whether
    the chain was intact."""
    job = Job.objects.filter(kind=VERIFY).first()
    if job is None or job.state != Job.State.SUCCEEDED:
        return job, "", None
    entry = (
        AuditEntry.objects.filter(action="audit.verified", details__job=job.id)
        .order_by("-id")
        .first()
    )
    if entry is None:
        return job, "", None
    return job, entry.details.get("result", ""), bool(entry.details.get("intact"))
