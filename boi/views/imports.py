import csv

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from boi import selectors
from boi.forms import RowFilterForm, column_map_form
from boi.models import AddressCheck, BoiConnection, HrImport, HrRow, StaffCheck
from boi.services import ConsoleError, preflight
from boi.services import imports as services
from boi.services.sync.runs import sync_readiness, sync_run_create
from boi.services.sync.words import (
    address_line,
    components_in_words,
    count_of,
    in_words,
    staff_summary,
)
from boi.uploads import EncryptingUploadHandler
from boi.views.profiles import apply_profile, learn_columns
from idbridge.core.access import permission_required
from idbridge.core.csvcells import csv_row
from idbridge.core.paging import filter_query
from idbridge.jobs.progress import job_progress_info


@csrf_exempt  # csrf_protect below, once the encrypting upload handler is in place
@permission_required("core.manage_boi")
def import_upload(request, connection_id):
    if request.method == "POST":
        request.upload_handlers = [EncryptingUploadHandler(request)]
    return _import_upload(request, connection_id)


@csrf_protect
def _import_upload(request, connection_id):
    connection = get_object_or_404(BoiConnection, id=connection_id)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.stored is None:
            if upload is not None and upload.too_large:
                limit = settings.BOI_UPLOAD_MAX_MEGABYTES
                messages.error(request, f"The file is larger than the {limit} MB allowed.")
            else:
                messages.error(request, "Choose a CSV, Excel (.xlsx) or JSON file.")
        else:
            try:
                hr_import = services.hr_import_upload(
                    connection=connection,
                    file_name=upload.name,
                    stored=upload.stored,
                    actor=request.user,
                )
            except ConsoleError as exc:
                messages.error(request, str(exc))
            else:
                profile = selectors.profile_list(connection).filter(
                    id=request.POST.get("profile") or 0
                )
                if profile:
                    apply_profile(request, hr_import, profile[0])
                else:
                    learn_columns(request, hr_import)
                return redirect("boi:import", import_id=hr_import.id)
    return render(
        request,
        "boi/import_upload.html",
        {
            "connection": connection,
            "profiles": selectors.profile_list(connection),
            # a refused file: the profile chosen stays chosen for the next try
            "chosen_profile": request.POST.get("profile", ""),
        },
    )


COLUMNS_TYPED_KEY = "boi.columns_typed"  # a column mapping the check refused, as chosen


@permission_required("core.view_boi")
def import_detail(request, import_id):
    hr_import = get_object_or_404(
        HrImport.objects.select_related("connection", "check_job", "preflight_job"), id=import_id
    )
    can_manage = request.user.has_perm("core.manage_boi")
    filters = RowFilterForm(request.GET or None)
    show, q = "errors", ""
    if filters.is_valid():
        show = filters.cleaned_data["show"] or "errors"
        q = filters.cleaned_data["q"].strip()
    rows = Paginator(selectors.row_list(hr_import, show=show, q=q), 50).get_page(
        request.GET.get("page")
    )
    column_form = None
    if hr_import.status in (HrImport.Status.UPLOADED, HrImport.Status.FAILED):
        typed = request.session.pop(COLUMNS_TYPED_KEY, None) or {}
        if typed.get("import") != hr_import.id:  # a refused mapping is shown as chosen
            typed = {"map": hr_import.column_map, "layout": hr_import.layout}
        column_form = column_map_form(hr_import.headers, typed["map"], typed["layout"])()
    query = filter_query({"show": show, "q": q})
    return render(
        request,
        "boi/import.html",
        {
            "imp": hr_import,
            "check": job_progress_info(hr_import.check_job, can_manage=can_manage),
            "preflight": job_progress_info(hr_import.preflight_job, can_manage=can_manage),
            "rows": rows,
            "page": rows,
            "query": query,
            "filters": filters,
            "column_form": column_form,
            "profiles": selectors.profile_list(hr_import.connection),
            "readiness": sync_readiness(hr_import) if hr_import.is_checked else [],
            "runs": hr_import.runs.all(),
            "staff_checks": StaffCheck.objects.filter(hr_import=hr_import)
            .exclude(outcome=StaffCheck.Outcome.FOUND)
            .select_related("row")[:200],
            "addresses": AddressCheck.objects.filter(hr_import=hr_import, row_count__gt=1).order_by(
                "-row_count"
            )[:50],
        },
    )


@require_POST
@permission_required("core.manage_boi")
def import_columns(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    form = column_map_form(hr_import.headers, hr_import.column_map)(request.POST)
    if form.is_valid():
        chosen = {
            header: form.cleaned_data.get(f"col_{i}", "")
            for i, header in enumerate(hr_import.headers)
        }
        try:
            services.hr_import_map_columns(
                hr_import=hr_import,
                column_map=chosen,
                layout=form.cleaned_data.get("layout") or HrImport.Layout.DETECT,
                actor=request.user,
            )
        except ConsoleError as exc:
            messages.error(request, str(exc))
            request.session[COLUMNS_TYPED_KEY] = {
                "import": hr_import.id,
                "map": chosen,
                "layout": form.cleaned_data.get("layout") or HrImport.Layout.DETECT,
            }
        else:
            messages.success(request, "Checking the rows…")
    else:
        messages.error(request, "Choose a template column or “ignore” for each file column.")
    return redirect("boi:import", import_id=hr_import.id)


@require_GET
@permission_required("core.view_boi")
def import_progress(request, import_id):
    hr_import = get_object_or_404(
        HrImport.objects.select_related("check_job", "preflight_job"), id=import_id
    )
    can_manage = request.user.has_perm("core.manage_boi")
    return JsonResponse(selectors.import_progress(hr_import, can_manage=can_manage))


@require_POST
@permission_required("core.manage_boi")
def import_exclude_bad(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    count = services.hr_rows_exclude_bad(hr_import=hr_import, actor=request.user)
    excluded = count_of(count, "row")
    messages.success(request, f"{excluded} with errors excluded; the good rows can go on.")
    return redirect("boi:import", import_id=hr_import.id)


@require_POST
@permission_required("core.manage_boi")
def row_exclude(request, import_id, row_id):
    row = get_object_or_404(
        HrRow.objects.select_related("hr_import"), id=row_id, hr_import_id=import_id
    )
    excluded = request.POST.get("excluded") == "1"
    services.hr_row_set_excluded(row=row, excluded=excluded, actor=request.user)
    return redirect("boi:row", import_id=import_id, row_id=row.id)


@permission_required("core.view_boi")
def row_detail(request, import_id, row_id):
    row = get_object_or_404(
        HrRow.objects.select_related("hr_import"), id=row_id, hr_import_id=import_id
    )
    address = None
    if row.address_key:
        address = AddressCheck.objects.filter(hr_import=row.hr_import, key=row.address_key).first()
    return render(
        request,
        "boi/row.html",
        {
            "row": row,
            "imp": row.hr_import,
            "summary": staff_summary({**row.payload, "ssn": str(row.ssn or "")}),
            "address": address,
            "normalized": row.address_components,
            "normalized_words": components_in_words(row.address_components or {}),
            "campus_address": address_line(address.campus_address)
            if address and address.campus_address
            else "",
        },
    )


@permission_required("core.view_boi")
def import_errors_csv(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{hr_import.id}-errors.csv"'
    writer = csv.writer(response)
    writer.writerow(["row", "staff_number", "column", "code", "problem", "excluded"])
    rows = HrRow.objects.filter(hr_import=hr_import, has_errors=True).order_by("row_number")
    for row in rows.iterator(chunk_size=2000):
        for error in row.errors:
            writer.writerow(
                csv_row(
                    [
                        row.row_number,
                        row.staff_number,
                        error.get("column"),
                        error.get("code"),
                        in_words(error.get("message")),
                        "yes" if row.is_excluded else "no",
                    ]
                )
            )
    return response


@require_POST
@permission_required("core.manage_boi")
def import_preflight(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    try:
        preflight.preflight_queue(hr_import=hr_import, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Pre-flight started: addresses and staff numbers in Campus.")
    return redirect("boi:import", import_id=hr_import.id)


@require_POST
@permission_required("core.manage_boi")
def import_delete(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    try:
        services.hr_import_delete(hr_import=hr_import, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
        return redirect("boi:import", import_id=hr_import.id)
    messages.success(request, "Import deleted.")
    return redirect("boi:index")


@require_POST
@permission_required("core.manage_boi")
def import_sync(request, import_id):
    hr_import = get_object_or_404(HrImport, id=import_id)
    try:
        run = sync_run_create(hr_import=hr_import, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
        return redirect("boi:import", import_id=hr_import.id)
    return redirect("boi:run", run_id=run.id)
