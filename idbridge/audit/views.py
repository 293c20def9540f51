"""The audit log page: entries in words, filters, keyset pages, CSV, the chain check."""

import csv
from itertools import islice

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from idbridge.audit import selectors
from idbridge.audit.forms import AuditFilterForm
from idbridge.audit.jobs import chain_check_latest, chain_check_queue
from idbridge.audit.services import (
    audit_chain_check,
    audit_check_fits_in_page,
    audit_export_record,
    audit_unsealed,
)
from idbridge.audit.words import lines_in_words
from idbridge.core.access import permission_required
from idbridge.core.paging import filter_query, keyset_page_for
from idbridge.core.spreadsheets import spreadsheet_cell
from idbridge.jobs.progress import job_progress_info

PER_PAGE = 50
CSV_BATCH = 500


def _filtered(request) -> tuple[AuditFilterForm, dict, str]:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    query = filter_query(
        {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items()}
    )
    return form, filters, query


def _page_context(request) -> dict:
    form, filters, query = _filtered(request)
    page = keyset_page_for(request, selectors.entry_list(**filters), size=PER_PAGE)
    job, result, intact = chain_check_latest()
    return {
        "chain": job_progress_info(job) if job else None,
        "chain_result": result,
        "chain_intact": intact,
        "page": page,
        "lines": lines_in_words(page),
        "form": form,
        "query": query,
        "unsealed": audit_unsealed(),
    }


@require_GET
@permission_required("core.view_audit")
def entry_list(request):
    return render(request, "audit/list.html", _page_context(request))


@require_POST
@permission_required("core.view_audit")
def chain_check(request):
    """A short log is checked in the request and the result said above the log, one
    message per finding; a long one by a job whose progress the page shows."""
    if not audit_check_fits_in_page():
        chain_check_queue(actor=request.user)
        messages.info(request, "The log is long: the check runs as a job, its progress below.")
        _, _, query = _filtered(request)
        return redirect(reverse("audit:list") + (f"?{query}" if query else ""))
    check = audit_chain_check(actor=request.user)
    say = messages.success if check.intact else messages.error
    for sentence in check.sentences:
        say(request, sentence)
    _, _, query = _filtered(request)
    return redirect(reverse("audit:list") + (f"?{query}" if query else ""))


@require_GET
@permission_required("core.view_audit")
def entry_csv(request):
    form, filters, _ = _filtered(request)
    audit_export_record(actor=request.user, filters={k: str(v) for k, v in filters.items() if v})
    rows = selectors.entry_list(**filters).order_by("-created_at", "-id").iterator(CSV_BATCH)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        ["Chain position", "Time", "Who", "What happened", "About", "Link", "Details"]
    )
    while batch := list(islice(rows, CSV_BATCH)):
        for line in lines_in_words(batch):
            e = line.entry
            yield writer.writerow(
                spreadsheet_cell(value)
                for value in [
                    e.seq or "not yet sealed",
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                    line.actor.words,
                    line.sentence,
                    line.target.words if line.target else "",
                    line.target.url if line.target else "",
                    "; ".join(f"{k}: {v}" for k, v in line.details),
                ]
            )
