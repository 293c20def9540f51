"""Check Campus Data and the Synchronization tool: the same steps the API drives, by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from idbridge.audit.words import people_named
from idbridge.core.access import permission_required
from sandbox.boi import checks, sync
from sandbox.boi.errors import BoiError
from sandbox.boi.views.common import VIEW, page_context, require_manage
from sandbox.models import CommitJob, SyncSession, SyncStagedStaff


@permission_required(VIEW)
def check_campus_data(request):
    return render(
        request,
        "sandbox/boi/check.html",
        page_context(request, "boi", report=checks.campus_data_check(), now=timezone.now()),
    )


def _tool_action(request, action: str, session: SyncSession | None):
    actor = request.user
    if action == "start":
        session = sync.sync_start(started_by=request.user.get_username(), actor=actor)
        return f"Synchronization {session.pk} started: the HR system may transfer staff to it."
    if session is None:
        raise BoiError(409, [])
    if action == "end_transfer":
        sync.sync_end_transfer(session=session, actor=actor)
        return "Transfer ended."
    if action == "validate":
        summary = sync.sync_validate(session=session, actor=actor)
        return (
            f"Validated: {summary['add']} to add, {summary['update']} to update, "
            f"{summary['error']} with errors."
        )
    if action == "restart":
        sync.sync_restart_transfer(session=session, actor=actor)
        return "Transfer restarted: the HR system must transfer its staff again."
    if action == "commit":
        job = sync.commit_job_submit(session=session, actor=actor)
        return f"Commit job {job.pk} submitted."
    raise BoiError(400, [])


def _tool_step(request, session: SyncSession | None):
    require_manage(request)
    try:
        messages.success(request, _tool_action(request, request.POST.get("action", ""), session))
    except BoiError as exc:
        text = "; ".join(e.message for e in exc.errors) or "That step is not allowed now."
        messages.error(request, text)
    return redirect("campus:boi_sync_tool")


@permission_required(VIEW)
def sync_tool(request):
    session = SyncSession.objects.exclude(status=SyncSession.Status.CANCELLED).first()
    if request.method == "POST":
        return _tool_step(request, session)
    job = session.jobs.first() if session else None
    return render(
        request,
        "sandbox/boi/sync.html",
        page_context(
            request,
            "boi",
            session=session,
            started_by=people_named([session.started_by])[session.started_by] if session else "",
            job=job,
            running=job is not None
            and job.status in (CommitJob.Status.PENDING, CommitJob.Status.RUNNING),
            base_url=request.build_absolute_uri("/sandbox/campus/api/boi/v1/"),
        ),
    )


@permission_required(VIEW)
def sync_report(request, sync_id: int):
    session = get_object_or_404(SyncSession, pk=sync_id)
    show = request.GET.get("show", "")
    rows = SyncStagedStaff.objects.filter(session=session).order_by("staff_number", "id")
    if show in ("add", "update", "error"):
        rows = rows.filter(action=show)
    elif show == "failed":
        rows = rows.filter(status=SyncStagedStaff.Status.FAILED)
    page = Paginator(rows.only("id", "staff_number", "action", "report", "status", "errors"), 50)
    return render(
        request,
        "sandbox/boi/report.html",
        page_context(
            request,
            "boi",
            session=session,
            page=page.get_page(request.GET.get("page")),
            show=show,
            query=f"show={show}" if show else "",
        ),
    )
