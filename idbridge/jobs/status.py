"""The home page's jobs panel: what runs now and what failed this week."""

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


@status_panel(order=10, permission="core.view_onboarding")
def jobs(user):
    since = timezone.now() - timedelta(days=FAILED_DAYS)
    recent = Job.objects.filter(created_at__gte=since).order_by("-id")[:200]
    mine = [job for job in recent if _visible(user, job)]
    running = [j for j in mine if j.state in (Job.State.RUNNING, Job.State.QUEUED)]
    failed = [j for j in mine if j.state == Job.State.FAILED]
    alerts = [
        Alert(f"{job_kind(j.kind).label} failed {when(j.finished_at)}: {j.error}", _page(j))
        for j in failed[:5]
    ]
    facts = [
        Fact("Running or queued", str(len(running))),
        Fact(f"Failed in the last {FAILED_DAYS} days", str(len(failed))),
    ]
    return Panel("Long jobs", facts=facts, alerts=alerts)
