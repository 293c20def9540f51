"""Every job's progress (JSON), its Retry, Cancel, Pause and Resume, whatever app it
belongs to."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from idbridge.jobs.kinds import job_kind
from idbridge.jobs.models import Job
from idbridge.jobs.progress import job_progress_info
from idbridge.jobs.services import job_cancel, job_continue, job_pause, job_retry


def _allowed(request, perm: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return None


@require_GET
def job_progress(request, job_id):
    job = get_object_or_404(Job, id=job_id)
    spec = job_kind(job.kind)
    refused = _allowed(request, spec.view_permission)
    if refused:
        return refused
    can_manage = request.user.has_perm(spec.manage_permission)
    return JsonResponse(job_progress_info(job, can_manage=can_manage))


@require_POST
def job_retry_view(request, job_id):
    job = get_object_or_404(Job, id=job_id)
    spec = job_kind(job.kind)
    refused = _allowed(request, spec.manage_permission)
    if refused:
        return refused
    if job_retry(job.id, actor=request.user) is None:
        messages.error(request, f"{spec.label} is not stopped: nothing to retry.")
    else:
        messages.success(request, f"{spec.label} queued again.")
    return redirect(spec.page_url(job))


@require_POST
def job_cancel_view(request, job_id):
    job = get_object_or_404(Job, id=job_id)
    spec = job_kind(job.kind)
    refused = _allowed(request, spec.manage_permission)
    if refused:
        return refused
    if job_cancel(job.id, actor=request.user):
        messages.success(request, f"{spec.label} cancelled.")
    else:
        messages.error(request, f"{spec.label} is not running: nothing to cancel.")
    return redirect(spec.page_url(job))


@require_POST
def job_pause_view(request, job_id):
    job = get_object_or_404(Job, id=job_id)
    spec = job_kind(job.kind)
    refused = _allowed(request, spec.manage_permission)
    if refused:
        return refused
    if job_pause(job.id, actor=request.user):
        messages.success(request, f"{spec.label} paused. Resume carries on where it stopped.")
    else:
        messages.error(request, f"{spec.label} is not running: nothing to pause.")
    return redirect(spec.page_url(job))


@require_POST
def job_continue_view(request, job_id):
    job = get_object_or_404(Job, id=job_id)
    spec = job_kind(job.kind)
    refused = _allowed(request, spec.manage_permission)
    if refused:
        return refused
    if job_continue(job.id, actor=request.user) is None:
        messages.error(request, f"{spec.label} is not paused: nothing to resume.")
    else:
        messages.success(request, f"{spec.label} resumed.")
    return redirect(spec.page_url(job))
