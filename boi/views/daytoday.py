"""Day to day: search Campus, then create or update one staff member or position. A form
Campus or its rules refuse comes back as typed, with the reasons in words (never a
redirect that empties it)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from boi.forms import (
    ADDRESS_FORM_FIELDS,
    PERSON_KEYS,
    PositionForm,
    StaffCreateForm,
    StaffSearchForm,
)
from boi.hrfile.address import ADDRESS_PATH
from boi.hrfile.template import ADDRESS_FIELD_OF
from boi.models import BoiConnection, HrImport, HrRow
from boi.services import ConsoleError
from boi.services import daytoday as services
from idbridge.core.access import permission_required
from idbridge.ids import database_id

FORM_FIELD_OF = {key: name for name, key in PERSON_KEYS.items()} | {
    f"{ADDRESS_PATH}.{ADDRESS_FIELD_OF[name]}": name for name in ADDRESS_FORM_FIELDS
}


def _connection(request) -> BoiConnection | None:
    connection_id = request.GET.get("connection") or request.POST.get("connection")
    connections = BoiConnection.objects.order_by("id")
    if connection_id:
        pk = database_id(connection_id)
        if pk is None:
            raise Http404("No such connection.")
        return get_object_or_404(BoiConnection, id=pk)
    return connections.first()


def _day_url(connection, staff_number: str) -> str:
    query = {"staff_number": staff_number, "connection": connection.id}
    return reverse("boi:day") + "?" + urlencode(query)


def _search(request, connection, form) -> tuple[list | None, object]:
    """Campus's staff matching the search, and the latest HR import's rows for the number."""
    results = rows = None
    data = form.cleaned_data
    try:
        results = services.staff_search(
            connection=connection,
            staff_number=data["staff_number"].strip(),
            last_name=data["last_name"].strip(),
            first_name=data["first_name"].strip(),
            birth_date=data["birth_date"].isoformat() if data["birth_date"] else "",
        )
    except ConsoleError as exc:
        messages.error(request, str(exc))
    latest = HrImport.objects.filter(connection=connection, status="checked").first()
    if latest and data["staff_number"]:
        rows = HrRow.objects.filter(hr_import=latest, staff_number=data["staff_number"].strip())
    return results, rows


def _page(request, connection, *, position_form=None, create_form=None, status=200):
    form = StaffSearchForm(request.GET or None)
    results = rows = None
    if connection and form.is_valid() and request.user.has_perm("core.manage_boi"):
        results, rows = _search(request, connection, form)
    number = request.GET.get("staff_number", "")
    lists = connection.campus_lists if connection else {}
    return render(
        request,
        "boi/day_to_day.html",
        {
            "connection": connection,
            "form": form,
            "results": results,
            "rows": rows,
            "searched": form.is_bound and form.is_valid(),
            "position_form": position_form or PositionForm(initial={"staff_number": number}),
            "create_form": create_form
            or StaffCreateForm(campus_lists=lists, initial={"staff_number": number}),
        },
        status=status,
    )


@permission_required("core.view_boi")
def day_to_day(request):
    return _page(request, _connection(request))


@require_POST
@permission_required("core.manage_boi")
def staff_send(request, row_id):
    row = get_object_or_404(HrRow.objects.select_related("hr_import__connection"), id=row_id)
    mode = request.POST.get("mode", "")
    try:
        services.staff_send_one(row=row, mode=mode, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        verb = "created in" if mode == "create" else "updated in"
        messages.success(request, f"Staff member {row.staff_number} {verb} Campus.")
    return redirect(_day_url(row.hr_import.connection, row.staff_number))


@require_POST
@permission_required("core.manage_boi")
def staff_create(request):
    connection = _connection(request)
    if connection is None:
        raise Http404("No BOI connection.")
    form = StaffCreateForm(request.POST, campus_lists=connection.campus_lists)
    if not form.is_valid():
        return _page(request, connection, create_form=form, status=400)
    staff = form.staff()
    try:
        services.staff_create(connection=connection, staff=staff, actor=request.user)
    except services.StaffRefused as exc:
        for field, sentence in exc.problems:
            form.add_error(FORM_FIELD_OF.get(field) if field in FORM_FIELD_OF else None, sentence)
        return _page(request, connection, create_form=form, status=400)
    except ConsoleError as exc:
        form.add_error(None, str(exc))
        return _page(request, connection, create_form=form, status=400)
    name = f"{staff['firstName']} {staff['lastName']}"
    messages.success(request, f"{name} created in Campus, staff number {staff['staffNumber']}.")
    return redirect(_day_url(connection, staff["staffNumber"]))


@require_POST
@permission_required("core.manage_boi")
def position_send(request):
    connection = _connection(request)
    form = PositionForm(request.POST)
    if connection is None:
        raise Http404("No BOI connection.")
    if not form.is_valid():
        return _page(request, connection, position_form=form, status=400)
    data = form.cleaned_data
    try:
        services.position_send(
            connection=connection,
            staff_number=data["staff_number"].strip(),
            position=form.position(),
            mode=data["mode"],
            actor=request.user,
        )
    except ConsoleError as exc:
        form.add_error(None, str(exc))
        return _page(request, connection, position_form=form, status=400)
    verb = "added to" if data["mode"] == "add" else "updated for"
    messages.success(request, f"Position {verb} staff number {data['staff_number']}.")
    return redirect(_day_url(connection, data["staff_number"]))
