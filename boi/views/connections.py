from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from boi.forms import ConnectionForm, MappingForm
from boi.models import BoiConnection, HrImport, MappingProfile, MappingValue
from boi.services import ConsoleError
from boi.services import connections as services
from boi.services.mapping_csv import mappings_csv, mappings_import_csv
from boi.services.sync.words import CAMPUS_LISTS, campus_list_count, count_of
from idbridge.core.access import permission_required

MAPPING_CSV_MAX_BYTES = 1024 * 1024


@permission_required("core.manage_boi")
def connection_edit(request, connection_id=None):
    connection = get_object_or_404(BoiConnection, id=connection_id) if connection_id else None
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        connection = services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection.name}” saved.")
        return redirect("boi:connection", connection_id=connection.id)
    return render(request, "boi/connection_form.html", {"form": form, "connection": connection})


@permission_required("core.view_boi")
def connection_detail(request, connection_id):
    return _detail(request, get_object_or_404(BoiConnection, id=connection_id))


def _detail(request, connection, *, mapping_form=None, status=200):
    """The connection page; ``mapping_form`` a refused mapping form, shown as typed."""
    mappings = MappingValue.objects.filter(connection=connection)
    latest = HrImport.objects.filter(connection=connection, status=HrImport.Status.CHECKED).first()
    return render(
        request,
        "boi/connection.html",
        {
            "connection": connection,
            "mappings": mappings,
            "mapping_form": mapping_form or MappingForm(),
            "kinds": MappingValue.Kind.choices,
            "lists": [
                (campus_list_count(kind, len(items)), items)
                for kind in CAMPUS_LISTS
                for items in [connection.campus_lists.get(kind) or []]
            ],
            "unmapped": latest.unmapped if latest else {},
            "latest_import": latest,
            "profiles": MappingProfile.objects.filter(connection=connection),
        },
        status=status,
    )


@require_POST
@permission_required("core.manage_boi")
def connection_test(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    ok, message = services.connection_test(connection=connection, actor=request.user)
    (messages.success if ok else messages.error)(request, message)
    return redirect("boi:connection", connection_id=connection.id)


@require_POST
@permission_required("core.manage_boi")
def lists_fetch(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    try:
        counts = services.campus_lists_fetch(connection=connection, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        fetched = ", ".join(campus_list_count(kind, n) for kind, n in counts.items())
        messages.success(request, f"Fetched from Campus: {fetched}.")
    return redirect("boi:connection", connection_id=connection.id)


@require_POST
@permission_required("core.manage_boi")
def mapping_add(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    form = MappingForm(request.POST)
    if not form.is_valid():
        return _detail(request, connection, mapping_form=form, status=400)
    try:
        services.mapping_save(connection=connection, actor=request.user, **form.cleaned_data)
    except ConsoleError as exc:
        form.add_error(None, str(exc))
        return _detail(request, connection, mapping_form=form, status=400)
    messages.success(request, f"Mapped {form.cleaned_data['hr_value']}.")
    return redirect("boi:connection", connection_id=connection.id)


@require_POST
@permission_required("core.manage_boi")
def mapping_delete(request, connection_id, mapping_id):
    mapping = get_object_or_404(MappingValue, id=mapping_id, connection_id=connection_id)
    services.mapping_delete(mapping=mapping, actor=request.user)
    messages.success(request, f"Mapping of {mapping.hr_value} removed.")
    return redirect("boi:connection", connection_id=connection_id)


@permission_required("core.view_boi")
def mappings_export(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    response = HttpResponse(mappings_csv(connection), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mappings-{connection.id}.csv"'
    return response


@require_POST
@permission_required("core.manage_boi")
def mappings_import(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    upload = request.FILES.get("file")
    try:
        if upload is None or upload.size > MAPPING_CSV_MAX_BYTES:
            raise ConsoleError("Choose a mapping CSV (as exported), at most 1 MB.")
        text = upload.read().decode("utf-8", errors="replace")
        saved = mappings_import_csv(connection=connection, text=text, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, f"Nothing imported: {exc}")
    else:
        messages.success(request, f"{count_of(saved, 'mapping')} imported.")
    return redirect("boi:connection", connection_id=connection.id)
