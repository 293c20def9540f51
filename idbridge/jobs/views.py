"""Every job's progress (JSON), its Retry, Cancel, Pause and Resume, whatever app it
belongs to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from idbridge.jobs.kinds import job_kind, job_kinds
from idbridge.jobs.models import Job
from idbridge.jobs.progress import job_progress_info
from idbridge.jobs.services import job_cancel, job_continue, job_pause, job_retry


def _allowed(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _job_get(request, job_id) -> Job:
    """The job, for an account that may see some kind of job: one without any role is
    refused before the job is read, so it cannot tell which jobs exist either."""
    if not any(request.user.has_perm(kind.view_permission) for kind in job_kinds()):
        raise PermissionDenied
    return get_object_or_404(Job, id=job_id)


@require_GET
@login_required  # before the job is read: a visitor cannot tell which jobs exist
def job_progress(request, job_id):
    job = _job_get(request, job_id)
    spec = job_kind(job.kind)
    _allowed(request, spec.view_permission)
    can_manage = request.user.has_perm(spec.manage_permission)
    return JsonResponse(job_progress_info(job, can_manage=can_manage))


def _job_act(request, job_id, act, *, done: str, refused: str):
    """An operator's action on a job (``act(job_id, actor=…)``, truthy when it was done),
    gated by the kind's manage permission; back to the job's page with a sentence."""
    job = _job_get(request, job_id)
    spec = job_kind(job.kind)
    _allowed(request, spec.manage_permission)
    if act(job.id, actor=request.user):
        messages.success(request, f"{spec.label} {done}")
    else:
        messages.error(request, f"{spec.label} {refused}")
    return redirect(spec.page_url(job))


@require_POST
@login_required
def job_retry_view(request, job_id):
    refused = "is not stopped: nothing to retry."
    return _job_act(request, job_id, job_retry, done="queued again.", refused=refused)


@require_POST
@login_required
def job_cancel_view(request, job_id):
    return _job_act(
        request, job_id, job_cancel, done="cancelled.", refused="is not running: nothing to cancel."
    )


@require_POST
@login_required
def job_pause_view(request, job_id):
    return _job_act(
        request,
        job_id,
        job_pause,
        done="paused. Resume carries on where it stopped.",
        refused="is not running: nothing to pause.",
    )


@require_POST
@login_required
def job_continue_view(request, job_id):
    return _job_act(
        request, job_id, job_continue, done="resumed.", refused="is not paused: nothing to resume."
    )
