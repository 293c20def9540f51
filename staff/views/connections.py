"""Campus connections on the dashboard: settings, a live test, a poll and its progress."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from idbridge.core.access import permission_required
from idbridge.core.gates import act_gate, waiting_form, with_kept_secrets
from idbridge.core.times import local_time
from idbridge.jobs.kinds import job_kind
from idbridge.jobs.progress import job_progress_info
from staff import selectors
from staff.forms import ConnectionForm
from staff.models import CampusConnection
from staff.services import connections as services

# What a connection signs in to Campus with, and where it sends that: creating a
# connection or changing one of these is an administrative act (a fresh check first).
CREDENTIAL_FIELDS = (
    "token_url",
    "rostering_base_url",
    "client_id",
    "client_secret",
    "wsdl_url",
    "soap_username",
    "soap_password",
)


def _credentials_change(form: ConnectionForm) -> bool:
    if form.instance.pk is None:
        return True
    changed = set(form.changed_data) & set(CREDENTIAL_FIELDS)
    # A blank secret keeps the stored one: only a typed secret is a change.
    return any(n not in form.SECRET_FIELDS or form.cleaned_data.get(n) for n in changed)


@permission_required("core.manage_connections")
def connection_edit(request, connection_id=None):
    connection = get_object_or_404(CampusConnection, id=connection_id) if connection_id else None
    if request.method == "POST":
        data = with_kept_secrets(request, request.POST)
    else:
        data = waiting_form(request)
    form = ConnectionForm(data, instance=connection)
    if request.method == "POST" and form.is_valid():
        if _credentials_change(form):
            refused = act_gate(
                request,
                "connection-secrets",
                back=request.path,
                data=data,
                secrets=ConnectionForm.SECRET_FIELDS,
            )
            if refused:
                return refused
        connection = services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection.name}” saved.")
        return redirect("staff:connection", connection_id=connection.id)
    return render(request, "staff/connection_form.html", {"form": form, "connection": connection})


@permission_required("core.view_onboarding")
def connection_detail(request, connection_id):
    connection = get_object_or_404(
        CampusConnection.objects.select_related("poll_job"), id=connection_id
    )
    return render(
        request,
        "staff/connection.html",
        {
            "connection": connection,
            "baseline": selectors.baseline_progress(connection),
            "poll": _poll_progress(request, connection),
        },
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
    queued = services.connection_poll_now(
        connection=connection, actor=request.user, full=full or accept, accept_shrink=accept
    )
    if queued is None:
        messages.info(request, "A poll is already running: its progress is shown below.")
    else:
        messages.success(
            request,
            "Poll started."
            if not accept
            else "Full poll started; missing staff will be deprovisioned.",
        )
    return redirect("staff:connection", connection_id=connection.id)


def _poll_progress(request, connection: CampusConnection) -> dict:
    """The latest poll job's progress (one shape for every job) and the connection's
    summary, its times in the district's time zone, for the page and its script."""
    job = connection.poll_job
    can_manage = job is not None and request.user.has_perm(job_kind(job.kind).manage_permission)
    counts = connection.last_poll_counts or {}
    return {
        **job_progress_info(job, can_manage=can_manage),
        "polling": connection.is_polling,
        "status": connection.get_status_display(),
        "status_code": connection.status,
        "last_error": connection.last_error,
        "last_poll_at": local_time(connection.last_poll_at) or None,
        "next_poll_at": local_time(connection.next_poll_at) or None,
        "counts": selectors.poll_counts_words(counts) or None,
    }


@require_GET
@permission_required("core.view_onboarding")
def connection_progress(request, connection_id):
    connection = get_object_or_404(
        CampusConnection.objects.select_related("poll_job"), id=connection_id
    )
    return JsonResponse(_poll_progress(request, connection))
