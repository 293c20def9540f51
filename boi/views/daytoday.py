from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from boi.forms import PositionForm, StaffSearchForm
from boi.models import BoiConnection, HrImport, HrRow
from boi.services import ConsoleError
from boi.services import daytoday as services
from idbridge.core.access import permission_required
from idbridge.ids import database_id


def _connection(request) -> BoiConnection | None:
    connection_id = request.GET.get("connection") or request.POST.get("connection")
    connections = BoiConnection.objects.order_by("id")
    if connection_id:
        pk = database_id(connection_id)
        if pk is None:
            raise Http404("No such connection.")
        return get_object_or_404(BoiConnection, id=pk)
    return connections.first()


@permission_required("core.view_boi")
def day_to_day(request):
    connection = _connection(request)
    form = StaffSearchForm(request.GET or None)
    results = rows = None
    if connection and form.is_valid() and request.user.has_perm("core.manage_boi"):
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
    return render(
        request,
        "boi/day_to_day.html",
        {
            "connection": connection,
            "form": form,
            "results": results,
            "rows": rows,
            "searched": form.is_bound and form.is_valid(),
            "position_form": PositionForm(
                initial={"staff_number": request.GET.get("staff_number", "")}
            ),
        },
    )


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
    return redirect(
        f"/boi/day/?staff_number={row.staff_number}&connection={row.hr_import.connection_id}"
    )


@require_POST
@permission_required("core.manage_boi")
def position_send(request):
    connection = _connection(request)
    form = PositionForm(request.POST)
    if connection is None or not form.is_valid():
        messages.error(request, "Give the staff number, school, a code and the dates.")
        return redirect("boi:day")
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
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Position {'added to' if data['mode'] == 'add' else 'updated for'} "
            f"{data['staff_number']}.",
        )
    return redirect(f"/boi/day/?staff_number={data['staff_number']}&connection={connection.id}")
