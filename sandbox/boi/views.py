"""Campus's Business Office Integration tools in the sandbox UI.

System Settings > Business Office Integration, as the guide names it: API Credentials,
Synchronization (with Check Campus Data), Error Log (with Export to PDF), Notifications
(and the Message Center they deliver to), Preferences; plus the Combine Person tool and
hand edits of a person that the preferences lock for HR-controlled staff.
``core.view_sandbox`` sees, ``core.manage_sandbox`` changes; every change is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from sandbox.boi import checks, combine, manual_edits, notifications, sync
from sandbox.boi.errorlog import (
    LogFilter,
    error_log_actions,
    error_log_list,
)
from sandbox.boi.errorlog import error_log_pdf as make_pdf
from sandbox.boi.errors import BoiError
from sandbox.boi.forms import (
    CombineForm,
    ContactForm,
    EmploymentForm,
    EndDateForm,
    ErrorLogFilterForm,
    NameForm,
    NotificationForm,
    PreferencesForm,
)
from sandbox.boi.preferences import person_locked_areas, preferences_get, preferences_set
from sandbox.models import (
    BOI_SCOPE,
    ApiClient,
    BoiErrorLogEntry,
    BoiNotification,
    CampusToolRights,
    CommitJob,
    DistrictAssignment,
    HouseholdLocation,
    Person,
    SyncSession,
    SyncStagedStaff,
)
from sandbox.selectors import district_get, person_detail
from sandbox.services import clients as client_services

VIEW = "core.view_sandbox"
MANAGE = "core.manage_sandbox"


def _can_manage(request) -> bool:
    return request.user.has_perm(MANAGE)


def _require_manage(request) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _ctx(request, section: str, **extra) -> dict:
    return {"section": section, "boi_section": section, "can_manage": _can_manage(request), **extra}


@permission_required(VIEW)
def index(request):
    return render(
        request,
        "sandbox/boi/index.html",
        _ctx(
            request,
            "boi",
            session=SyncSession.objects.first(),
            job=sync.commit_job_latest(),
            errors=BoiErrorLogEntry.objects.count(),
            unread=request.user.campus_messages.filter(read_at__isnull=True).count(),
        ),
    )


# --- API credentials ----------------------------------------------------------------------


def _boi_endpoints(request, client: ApiClient) -> dict:
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "token_url": base + client_services.TOKEN_PATH.format(app=client.app_name),
        "base_url": base + "/sandbox/campus/api/boi/v1/",
        "docs_url": base + reverse("campus:boi_openapi"),
    }


def _credentials_page(request, *, shown=None, status=200):
    clients = [
        (client, _boi_endpoints(request, client))
        for client in ApiClient.objects.select_related("application").order_by("name")
        if BOI_SCOPE in client.scope_list
    ]
    return render(
        request,
        "sandbox/boi/credentials.html",
        _ctx(request, "boi", clients=clients, shown=shown),
        status=status,
    )


@permission_required(VIEW)
def credentials(request):
    return _credentials_page(request)


@permission_required(MANAGE)
@require_POST
def credentials_create(request):
    name = request.POST.get("name", "").strip() or "Business Office"
    try:
        client, creds = client_services.api_client_create(
            name=name, scopes=BOI_SCOPE, actor=request.user
        )
    except client_services.ClientError as exc:
        messages.error(request, str(exc))
        return redirect("campus:boi_credentials")
    return _credentials_page(
        request, shown={"client_id": client.pk, "secret": creds["client_secret"]}
    )


@permission_required(MANAGE)
@require_POST
def credentials_rotate(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    secret = client_services.api_client_rotate_secret(client=client, actor=request.user)
    return _credentials_page(request, shown={"client_id": client.pk, "secret": secret})


@permission_required(VIEW)
def api_docs(request):
    """The OpenAPI description, readable: every endpoint, its parameters and answers."""
    from sandbox.boi import openapi

    description = openapi.description(request.build_absolute_uri("/").rstrip("/"))
    endpoints = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": operation.get("parameters", []),
            "responses": sorted(operation.get("responses", {}).items()),
        }
        for path, operations in description["paths"].items()
        for method, operation in operations.items()
    ]
    schemas = description["components"]["schemas"]
    return render(
        request,
        "sandbox/boi/api_docs.html",
        _ctx(
            request,
            "boi",
            info=description["info"],
            endpoints=endpoints,
            staff_fields=sorted(schemas["Staff"]["properties"]),
            address_note=schemas["Address"]["description"],
            household_note=schemas["Household"]["description"],
            json_url=reverse("campus:boi_openapi"),
        ),
    )


# --- Check Campus Data and the Synchronization tool ---------------------------------------


@permission_required(VIEW)
def check_campus_data(request):
    return render(
        request,
        "sandbox/boi/check.html",
        _ctx(request, "boi", report=checks.campus_data_check(), now=timezone.now()),
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


@permission_required(VIEW)
def sync_tool(request):
    session = SyncSession.objects.exclude(status=SyncSession.Status.CANCELLED).first()
    if request.method == "POST":
        _require_manage(request)
        action = request.POST.get("action", "")
        try:
            messages.success(request, _tool_action(request, action, session))
        except BoiError as exc:
            text = "; ".join(e.message for e in exc.errors) or "That step is not allowed now."
            messages.error(request, text)
        return redirect("campus:boi_sync_tool")
    job = session.jobs.first() if session else None
    return render(
        request,
        "sandbox/boi/sync.html",
        _ctx(
            request,
            "boi",
            session=session,
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
        _ctx(
            request,
            "boi",
            session=session,
            page=page.get_page(request.GET.get("page")),
            show=show,
            query=f"show={show}" if show else "",
        ),
    )


# --- Error log ---------------------------------------------------------------------------


def _log_filter(request) -> tuple[ErrorLogFilterForm, LogFilter]:
    form = ErrorLogFilterForm(request.GET or None, actions=error_log_actions())
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, LogFilter(
            since=data["since"],
            until=data["until"],
            action=data["action"],
            path=data["path"].strip(),
            text=data["text"].strip(),
        )
    return form, LogFilter()


@permission_required(VIEW)
def error_log(request):
    form, log_filter = _log_filter(request)
    page = Paginator(error_log_list(log_filter), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sandbox/boi/error_log.html",
        _ctx(request, "boi", form=form, page=page, query=query.urlencode()),
    )


@permission_required(VIEW)
def error_log_entry(request, pk: int):
    entry = get_object_or_404(BoiErrorLogEntry, pk=pk)
    return render(request, "sandbox/boi/error_entry.html", _ctx(request, "boi", entry=entry))


@permission_required(VIEW)
def error_log_pdf(request):
    _, log_filter = _log_filter(request)
    district = district_get()
    pdf = make_pdf(log_filter, district_name=district.name if district else "")
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="boi-error-log-{stamp}.pdf"'
    return response


# --- Notifications, tool rights, Message Center ----------------------------------------------


def _notifications_page(request, *, form=None, status=200):
    return render(
        request,
        "sandbox/boi/notifications.html",
        _ctx(
            request,
            "boi",
            notifications=BoiNotification.objects.prefetch_related("recipients__user"),
            form=form or NotificationForm(),
            eligible=notifications.eligible_recipients().count(),
        ),
        status=status,
    )


@permission_required(VIEW)
def notifications_view(request):
    if request.method == "POST":
        _require_manage(request)
        form = NotificationForm(request.POST)
        if form.is_valid():
            try:
                notifications.notification_save(
                    kind=form.cleaned_data["kind"],
                    recipient_ids=[u.pk for u in form.cleaned_data["recipients"]],
                    actor=request.user,
                )
            except notifications.NotificationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Notification saved.")
                return redirect("campus:boi_notifications")
        return _notifications_page(request, form=form, status=400)
    return _notifications_page(request)


@permission_required(VIEW)
def notification_edit(request, pk: int):
    notification = get_object_or_404(BoiNotification, pk=pk)
    if request.method == "POST":
        _require_manage(request)
        form = NotificationForm(request.POST)
        if form.is_valid():
            try:
                kept = notifications.notification_save(
                    kind=form.cleaned_data["kind"],
                    recipient_ids=[u.pk for u in form.cleaned_data["recipients"]],
                    actor=request.user,
                    notification=notification,
                )
            except notifications.NotificationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    "Notification saved."
                    if kept
                    else "Every recipient removed: notification deleted.",
                )
                return redirect("campus:boi_notifications")
    else:
        form = NotificationForm(
            initial={
                "kind": notification.kind,
                "recipients": [r.user_id for r in notification.recipients.all()],
            }
        )
    return render(
        request,
        "sandbox/boi/notification_edit.html",
        _ctx(request, "boi", notification=notification, form=form),
        status=400 if form.errors else 200,
    )


@permission_required(VIEW)
def tool_rights(request):
    User = get_user_model()
    if request.method == "POST":
        _require_manage(request)
        user = get_object_or_404(User, pk=request.POST.get("user"))
        notifications.tool_rights_set(
            user=user,
            district_employment=request.POST.get("district_employment") == "on",
            district_assignments=request.POST.get("district_assignments") == "on",
            actor=request.user,
        )
        messages.success(request, f"Tool rights of {user.get_username()} saved.")
        return redirect("campus:boi_tool_rights")
    rights = {r.user_id: r for r in CampusToolRights.objects.all()}
    users = [
        (u, rights.get(u.pk)) for u in User.objects.filter(is_active=True).order_by("username")
    ]
    return render(request, "sandbox/boi/tool_rights.html", _ctx(request, "boi", users=users))


@permission_required(VIEW)
def message_center(request):
    if request.method == "POST":
        notifications.message_mark_read(
            user=request.user, message_id=int(request.POST.get("message", 0) or 0)
        )
        return redirect("campus:boi_messages")
    page = Paginator(notifications.messages_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sandbox/boi/messages.html", _ctx(request, "boi", page=page))


# --- Preferences ------------------------------------------------------------------------


@permission_required(VIEW)
def preferences(request):
    prefs = preferences_get()
    if request.method == "POST":
        _require_manage(request)
        form = PreferencesForm(request.POST, instance=prefs)
        if form.is_valid():
            preferences_set(actor=request.user, **form.cleaned_data)
            messages.success(request, "Business Office Preferences saved.")
            return redirect("campus:boi_preferences")
    else:
        form = PreferencesForm(instance=prefs)
    return render(request, "sandbox/boi/preferences.html", _ctx(request, "boi", form=form))


# --- Combine Person ---------------------------------------------------------------------


@permission_required(VIEW)
def combine_person(request):
    preview = None
    form = CombineForm(request.POST or None)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            base_id = form.cleaned_data["base_person"]
            other_id = form.cleaned_data["other_person"]
            if form.cleaned_data["confirm"]:
                try:
                    base = combine.person_combine(
                        base_id=base_id, other_id=other_id, actor=request.user
                    )
                except combine.CombineError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"Person {other_id} combined into {base.pk}.")
                    return redirect("campus:person", person_id=base.pk)
            else:
                people = Person.objects.filter(pk__in=[base_id, other_id])
                if people.count() != 2 or base_id == other_id:
                    form.add_error(None, "Enter two different personIDs that exist.")
                else:
                    preview = {
                        "base": person_detail(base_id),
                        "other": person_detail(other_id),
                    }
    return render(
        request,
        "sandbox/boi/combine.html",
        _ctx(request, "boi", form=form, preview=preview),
        status=400 if form.errors else 200,
    )


# --- hand edits of a person ---------------------------------------------------------------


def _edit(request, person: Person) -> str:
    area = request.POST.get("area", "")
    actor = request.user
    if area == "identities":
        form = NameForm(request.POST)
        if form.is_valid():
            manual_edits.person_name_change(person=person, actor=actor, **form.cleaned_data)
            return "Name changed."
    elif area == "demographics":
        form = ContactForm(request.POST)
        if form.is_valid():
            manual_edits.person_contact_set(person=person, actor=actor, **form.cleaned_data)
            return "Contact details saved."
    elif area == "employment":
        form = EmploymentForm(request.POST)
        if form.is_valid():
            manual_edits.employment_add(person=person, actor=actor, **form.cleaned_data)
            return "Employment added."
    elif area == "assignments":
        form = EndDateForm(request.POST)
        if form.is_valid():
            assignment = get_object_or_404(
                DistrictAssignment, pk=form.cleaned_data["item"], person=person
            )
            manual_edits.position_end(
                assignment=assignment, end_date=form.cleaned_data["end_date"], actor=actor
            )
            return "Position ended."
    elif area == "households":
        form = EndDateForm(request.POST)
        if form.is_valid():
            location = get_object_or_404(
                HouseholdLocation,
                pk=form.cleaned_data["item"],
                household__members__person=person,
            )
            manual_edits.household_location_end(
                person=person,
                location=location,
                end_date=form.cleaned_data["end_date"],
                actor=actor,
            )
            return "Household location ended."
    else:
        raise PermissionDenied
    raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))


@permission_required(VIEW)
def person_edit(request, person_id: int):
    person = person_detail(person_id)
    status = 200
    if request.method == "POST":
        _require_manage(request)
        try:
            messages.success(request, _edit(request, person))
            return redirect("campus:person_edit", person_id=person.pk)
        except manual_edits.LockedByHr as exc:
            messages.error(request, str(exc))
            status = 403
        except ValueError as exc:
            messages.error(request, str(exc))
            status = 400
        person = person_detail(person_id)
    locked = person_locked_areas(person)
    current = next((i for i in person.identities.all() if i.is_current), None)
    return render(
        request,
        "sandbox/boi/person_edit.html",
        _ctx(
            request,
            "staff",
            person=person,
            locked=locked,
            areas=manual_edits.AREA_NAMES,
            name_form=NameForm(
                initial={
                    "first_name": current.first_name if current else "",
                    "middle_name": current.middle_name if current else "",
                    "last_name": current.last_name if current else "",
                }
            ),
            contact_form=ContactForm(
                initial={name: getattr(person, name) for name in ContactForm.base_fields}
            ),
            employment_form=EmploymentForm(),
            today=timezone.localdate(),
        ),
        status=status,
    )
