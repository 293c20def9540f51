"""The home page's jobs panel: what runs now and what failed this week.

A failure is an alert until a later job of its family on the same record succeeds (the
next poll of the connection went through): then it is settled, and stays counted among
the week's failures and in the audit log."""

from datetime import timedelta

from django.utils import timezone

from idbridge.core.status import Alert, Fact, Panel, status_panel, when
from idbridge.jobs.kinds import job_kind
from idbridge.jobs.models import Job

FAILED_DAYS = 7


def _visible(user, job) -> bool:
    try:
        return user.has_perm(job_kind(job.kind).view_permission)
    except LookupError:
        return False


def _page(job) -> str:
    try:
        return job_kind(job.kind).page_url(job)
    except Exception:  # noqa: BLE001 - a job whose record is gone has no page
        return ""


def _family(job) -> str:
    try:
        return job_kind(job.kind).family_name
    except LookupError:
        return job.kind


def _unsettled(failed: list[Job]) -> list[Job]:
    """The failures no later job of the same family on the same record has succeeded."""
    if not failed:
        return []
    later = Job.objects.filter(
        state=Job.State.SUCCEEDED,
        subject_id__in={j.subject_id for j in failed},
        id__gt=min(j.id for j in failed),
    ).values_list("id", "kind", "subject_id")
    latest: dict[tuple, int] = {}
    for job_id, kind, subject_id in later:
        key = (_family(Job(kind=kind)), subject_id)
        latest[key] = max(latest.get(key, 0), job_id)
    return [j for j in failed if latest.get((_family(j), j.subject_id), 0) < j.id]


@status_panel(order=10, permission="core.view_onboarding")
def jobs(user):
    since = timezone.now() - timedelta(days=FAILED_DAYS)
    recent = Job.objects.filter(created_at__gte=since).order_by("-id")[:200]
    mine = [job for job in recent if _visible(user, job)]
    running = [j for j in mine if j.state in (Job.State.RUNNING, Job.State.QUEUED)]
    failed = [j for j in mine if j.state == Job.State.FAILED]
    alerts = [
        Alert(f"{job_kind(j.kind).label} failed {when(j.finished_at)}: {j.error}", _page(j))
        for j in _unsettled(failed)[:5]
    ]
    facts = [
        Fact("Running or queued", str(len(running))),
        Fact(f"Failed in the last {FAILED_DAYS} days", str(len(failed))),
    ]
    return Panel("Long jobs", facts=facts, alerts=alerts)
