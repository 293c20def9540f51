"""Campus connections on the dashboard: settings, a live test, a poll and its progress."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from idbridge.core.access import permission_required
from staff import selectors
from staff.forms import ConnectionForm
from staff.models import CampusConnection
from staff.services import connections as services


@permission_required("core.manage_connections")
def connection_edit(request, connection_id=None):
    connection = get_object_or_404(CampusConnection, id=connection_id) if connection_id else None
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        connection = services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection.name}” saved.")
        return redirect("staff:connection", connection_id=connection.id)
    return render(request, "staff/connection_form.html", {"form": form, "connection": connection})


@permission_required("core.view_onboarding")
def connection_detail(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    return render(
        request,
        "staff/connection.html",
        {"connection": connection, "baseline": selectors.baseline_progress(connection)},
    )


@require_POST
@permission_required("core.manage_connections")
def connection_test(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    ok, message = services.connection_test(connection=connection, actor=request.user)
    (messages.success if ok else messages.error)(request, message)
    return redirect("staff:connection", connection_id=connection.id)


@require_POST
@permission_required("core.manage_onboarding")
def connection_poll(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    full = request.POST.get("full") == "1"
    accept = request.POST.get("accept_shrink") == "1"
    if accept and not request.user.has_perm("core.manage_connections"):
        raise PermissionDenied
    services.connection_poll_now(
        connection=connection, actor=request.user, full=full or accept, accept_shrink=accept
    )
    messages.success(
        request,
        "Poll started."
        if not accept
        else "Full poll started; missing staff will be deprovisioned.",
    )
    return redirect("staff:connection", connection_id=connection.id)


@require_GET
@permission_required("core.view_onboarding")
def connection_progress(request, connection_id):
    c = get_object_or_404(CampusConnection, id=connection_id)
    return JsonResponse(
        {
            "polling": c.is_polling,
            "done": c.poll_done,
            "total": c.poll_total,
            "status": c.get_status_display(),
            "last_error": c.last_error,
            "last_poll_at": c.last_poll_at.isoformat() if c.last_poll_at else None,
            "counts": c.last_poll_counts,
        }
    )
