import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from boi import selectors
from boi.hrfile.template import ADDRESS_COLUMNS, template_columns
from boi.models import Alert
from boi.services.errorlog import alert_dismiss
from idbridge.core.access import permission_required


@permission_required("core.view_boi")
def index(request):
    return render(
        request,
        "boi/index.html",
        {
            "connections": selectors.connection_list(),
            "alerts": selectors.alerts_open(),
            "imports": selectors.import_list()[:10],
            "runs": selectors.run_list()[:10],
        },
    )


@permission_required("core.view_boi")
def template_doc(request):
    return render(
        request,
        "boi/template_doc.html",
        {"columns": template_columns(), "address_columns": ADDRESS_COLUMNS},
    )


@permission_required("core.view_boi")
def template_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hr-export-template.csv"'
    writer = csv.writer(response)
    writer.writerow([name for name, _, _ in template_columns()])
    example = {
        "staff_number": "E10482",
        "last_name": "Lindqvist",
        "first_name": "Maren",
        "sex": "F",
        "ssn": "",
        "birth_date": "1984-03-09",
        "work_email": "mlindqvist@district.example",
        "hire_date": "2019-08-19",
        "location": "HS1",
        "job_code": "TCH-MATH",
        "position_start_date": "2019-08-19",
        "address_full": "4321 South Lexington Ave SE Apt 45",
        "address_city": "Blaine",
        "address_state": "MN",
        "address_zip": "55123",
    }
    writer.writerow([example.get(name, "") for name, _, _ in template_columns()])
    return response


@require_POST
@permission_required("core.manage_boi")
def alert_dismiss_view(request, alert_id):
    alert = get_object_or_404(Alert, id=alert_id)
    alert_dismiss(alert=alert, actor=request.user)
    messages.success(request, "Alert dismissed.")
    return redirect("boi:index")
