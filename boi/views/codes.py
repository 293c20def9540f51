"""The code mapping page: every HR code a file's check could not map, on one page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from boi import selectors
from boi.forms import code_mapping_form
from boi.models import HrImport
from boi.services import ConsoleError
from boi.services.connections import mappings_save_many
from boi.services.imports import hr_import_map_columns
from boi.services.sync.words import count_of
from idbridge.core.access import permission_required


@permission_required("core.manage_boi")
def import_codes(request, import_id):
    hr_import = get_object_or_404(HrImport.objects.select_related("connection"), id=import_id)
    connection = hr_import.connection
    rows = selectors.unmapped_codes(hr_import)
    form = code_mapping_form(rows, connection.campus_lists)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        choices = form.choices()
        try:
            saved = mappings_save_many(connection=connection, choices=choices, actor=request.user)
        except ConsoleError as exc:
            messages.error(request, str(exc))
        else:
            left = len(rows) - saved
            messages.success(
                request,
                f"{count_of(saved, 'code mapping')} saved; {count_of(left, 'code')} left unmapped.",
            )
            if "recheck" in request.POST:
                return _check_again(request, hr_import)
            return redirect("boi:import_codes", import_id=hr_import.id)
    table = [
        (row, form[f"c{i}"], form[f"t{i}"] if f"t{i}" in form.fields else None)
        for i, row in enumerate(rows)
    ]
    return render(
        request,
        "boi/import_codes.html",
        {"imp": hr_import, "connection": connection, "form": form, "table": table},
    )


def _check_again(request, hr_import: HrImport):
    """Queue the row check again with the file's column mapping, so the new codes apply."""
    try:
        hr_import_map_columns(
            hr_import=hr_import, column_map=hr_import.column_map, actor=request.user
        )
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Checking the rows again with the new code mappings…")
    return redirect("boi:import", import_id=hr_import.id)
