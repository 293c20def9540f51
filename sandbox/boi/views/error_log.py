"""The Business Office Error Log: filter, read an entry, export to PDF."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from idbridge.core.access import permission_required
from sandbox.boi import errorlog
from sandbox.boi.forms import ErrorLogFilterForm
from sandbox.boi.views.common import VIEW, page_context
from sandbox.models import BoiErrorLogEntry
from sandbox.selectors import district_get


def _log_filter(request) -> tuple[ErrorLogFilterForm, errorlog.LogFilter]:
    form = ErrorLogFilterForm(request.GET or None, actions=errorlog.error_log_actions())
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, errorlog.LogFilter(
            since=data["since"],
            until=data["until"],
            action=data["action"],
            path=data["path"].strip(),
            text=data["text"].strip(),
        )
    return form, errorlog.LogFilter()


@permission_required(VIEW)
def error_log(request):
    form, log_filter = _log_filter(request)
    page = Paginator(errorlog.error_log_list(log_filter), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sandbox/boi/error_log.html",
        page_context(request, "boi", form=form, page=page, query=query.urlencode()),
    )


@permission_required(VIEW)
def error_log_entry(request, pk: int):
    entry = get_object_or_404(BoiErrorLogEntry, pk=pk)
    return render(
        request, "sandbox/boi/error_entry.html", page_context(request, "boi", entry=entry)
    )


@permission_required(VIEW)
def error_log_pdf(request):
    _, log_filter = _log_filter(request)
    district = district_get()
    pdf = errorlog.error_log_pdf(log_filter, district_name=district.name if district else "")
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="boi-error-log-{stamp}.pdf"'
    return response
