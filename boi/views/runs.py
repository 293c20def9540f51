import csv
from datetime import datetime, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from boi import selectors
from boi.forms import ErrorLogFilterForm, ReportFilterForm
from boi.models import ErrorLogEntry, SyncRun, SyncStaff
from boi.pdf import error_log_pdf
from boi.services import ConsoleError
from boi.services.sync import commit, runs
from boi.services.sync.words import (
    ACTION_WORDS,
    count_of,
    report_entry_lines,
    staff_in_payload,
    staff_summary,
)
from idbridge.core.access import permission_required
from idbridge.core.gates import is_break_glass
from idbridge.core.paging import filter_query
from idbridge.core.spreadsheets import spreadsheet_cell
from stepup.gates import boi_commit_policy, fresh_check_decision, step_up_url
from stepup.policy import Decision

BREAK_GLASS_NO_COMMIT = (
    "The break-glass account cannot commit a sync: committing needs a passkey check, and"
    " break-glass has no passkey. Give an onboarded staff member the HR operator role on"
    " Dashboard access, and commit signed in with their passkey."
)


def commit_check(request) -> Decision:
    """The step-up gate before Commit: a fresh passkey check by the dashboard operator
    (the IdP subject's e-mail is theirs), younger than BOI_COMMIT_STEPUP_MAX_AGE_SECONDS.
    The break-glass account has no passkey: its answer is a final no, in words."""
    if is_break_glass(request.user):
        return Decision(allowed=False, reason=BREAK_GLASS_NO_COMMIT, needs_fresh_check=False)
    return fresh_check_decision(
        request,
        boi_commit_policy(),
        email=request.user.email,
        signed_out_reason="Verify with your passkey to commit.",
    )


REFUSED_SHOWN = 50  # refused staff named on the run page (all on the results page)


@permission_required("core.view_boi")
def run_detail(request, run_id):
    run = get_object_or_404(
        SyncRun.objects.select_related("hr_import", "connection", "step_job"), id=run_id
    )
    can_manage = request.user.has_perm("core.manage_boi")
    verification = commit_check(request) if can_manage else None
    return render(
        request,
        "boi/run.html",
        {
            "run": run,
            "progress": selectors.run_progress(run, can_manage=can_manage),
            "summary": run.report_summary,
            "report_lists": selectors.report_lists(run.report_summary),
            "commit_api": commit.commit_api_for(run.staff_count),
            "verification": verification,
            "no_commit": bool(verification)
            and not verification.allowed
            and not verification.needs_fresh_check,
            "hr_changed": bool(run.hr_fingerprint)
            and run.hr_fingerprint != runs.import_fingerprint(run.hr_import),
            "errors": ErrorLogEntry.objects.filter(run=run)[:5],
            "refused": selectors.refused_staff(run)[:REFUSED_SHOWN],
            "refused_count": selectors.refused_staff(run).count(),
            "per_staff": run.state != SyncRun.State.COMMITTED
            or selectors.run_outcomes_per_staff(run),
        },
    )


@require_GET
@permission_required("core.view_boi")
def run_progress(request, run_id):
    run = get_object_or_404(SyncRun.objects.select_related("step_job"), id=run_id)
    can_manage = request.user.has_perm("core.manage_boi")
    return JsonResponse(selectors.run_progress(run, can_manage=can_manage))


@require_POST
@permission_required("core.manage_boi")
def run_step(request, run_id, step):
    run = get_object_or_404(SyncRun.objects.select_related("hr_import__connection"), id=run_id)
    try:
        runs.sync_step_queue(run=run, step=step, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        label = "Restarted from Start" if step == "start" else "Validating again"
        messages.success(request, f"{label}.")
    return redirect("boi:run", run_id=run.id)


COMMIT_PENDING_KEY = "boi.commit_pending"
COMMIT_PENDING_SECONDS = 600  # a Commit pressed longer ago than this is not resumed


@require_POST
@permission_required("core.manage_boi")
def run_commit(request, run_id):
    run = get_object_or_404(SyncRun.objects.select_related("hr_import"), id=run_id)
    verification = commit_check(request)
    if not verification.allowed and not verification.needs_fresh_check:
        messages.error(request, f"Not committed: {verification.reason}")
        return redirect("boi:run", run_id=run.id)
    if not verification.allowed:
        return _check_first(request, run, verification)
    request.session.pop(COMMIT_PENDING_KEY, None)
    _commit(request, run, verification)
    return redirect("boi:run", run_id=run.id)


def _check_first(request, run: SyncRun, verification: Decision):
    """The Commit waits in the session while the operator makes the passkey check, which
    comes back to :func:`run_commit_resume`: the commit then proceeds without a second
    press (as the roles page keeps the ticked roles during its check)."""
    request.session[COMMIT_PENDING_KEY] = {"run": run.id, "at": timezone.now().timestamp()}
    messages.info(request, verification.reason)
    return redirect(
        step_up_url(
            request,
            next_url=reverse("boi:run_commit_resume", args=[run.id]),
            reason="Commit a Business Office sync to Campus",
            sp="idbridge Business Office console",
            email=request.user.email,
            policy=boi_commit_policy().action,
        )
    )


@require_GET
@permission_required("core.manage_boi")
def run_commit_resume(request, run_id):
    """Where the passkey check returns. It commits only the Commit this operator pressed
    (a POST with its CSRF token) in this session less than ``COMMIT_PENDING_SECONDS`` ago,
    once: the pending commit is taken out of the session before anything else."""
    run = get_object_or_404(SyncRun.objects.select_related("hr_import"), id=run_id)
    pending = request.session.pop(COMMIT_PENDING_KEY, None) or {}
    fresh = timezone.now().timestamp() - float(pending.get("at") or 0) < COMMIT_PENDING_SECONDS
    if pending.get("run") != run.id or not fresh:
        messages.info(request, "No commit was waiting for a passkey check: press Commit.")
        return redirect("boi:run", run_id=run.id)
    verification = commit_check(request)
    if not verification.allowed:
        messages.error(request, f"Not committed: {verification.reason}")
    else:
        _commit(request, run, verification)
    return redirect("boi:run", run_id=run.id)


def _commit(request, run: SyncRun, verification: Decision) -> None:
    try:
        commit.sync_commit_request(
            run=run, actor=request.user, verified_at=verification.authn_instant
        )
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Passkey check done: committing {count_of(run.staff_count, 'staff')}."
        )


def _report_filters(request):
    form = ReportFilterForm(request.GET or None)
    action = q = outcome = ""
    if form.is_valid():
        action, q = form.cleaned_data["action"], form.cleaned_data["q"].strip()
        outcome = form.cleaned_data["outcome"]
    return form, action, q, outcome


@permission_required("core.view_boi")
def run_report(request, run_id, results=False):
    run = get_object_or_404(SyncRun.objects.select_related("hr_import"), id=run_id)
    form, action, q, outcome = _report_filters(request)
    page = Paginator(selectors.report_list(run, action=action, q=q, outcome=outcome), 50).get_page(
        request.GET.get("page")
    )
    query = filter_query({"action": action, "q": q, "outcome": outcome})
    return render(
        request,
        "boi/results.html" if results else "boi/report.html",
        {
            "run": run,
            "page": page,
            "form": form,
            "query": query,
            "summary": run.report_summary,
            "report_lists": selectors.report_lists(run.report_summary),
            "per_staff": not results or selectors.run_outcomes_per_staff(run),
        },
    )


@permission_required("core.view_boi")
def run_report_csv(request, run_id):
    run = get_object_or_404(SyncRun, id=run_id)
    _, action, q, outcome = _report_filters(request)
    staff = selectors.report_list(run, action=action, q=q, outcome=outcome)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def rows():
        yield writer.writerow(
            [
                "Staff number",
                "Name",
                "HR row",
                "Validate",
                "Conflict",
                "Outcome",
                "Changes",
                "Errors",
            ]
        )
        for item in staff.iterator(chunk_size=2000):
            yield writer.writerow(
                spreadsheet_cell(cell)  # names and numbers from the HR file
                for cell in [
                    item.staff_number,
                    item.name,
                    item.row.row_number if item.row else "",
                    ACTION_WORDS.get(item.action, "not validated yet"),
                    "yes" if item.has_conflict else "",
                    item.get_outcome_display(),
                    "; ".join(report_entry_lines(item.report or {})),
                    "; ".join(
                        str(e.get("message") if isinstance(e, dict) else e)
                        for e in item.outcome_errors or []
                    ),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sync-{run.id}-report.csv"'
    return response


@permission_required("core.view_boi")
def staff_entry(request, run_id, staff_id):
    item = get_object_or_404(
        SyncStaff.objects.select_related("row", "run"), id=staff_id, run_id=run_id
    )
    return render(
        request,
        "boi/staff_entry.html",
        {
            "item": item,
            "run": item.run,
            "changes": report_entry_lines(item.report or {}),
        },
    )


# --- error log ---------------------------------------------------------------------------------


def _error_filters(request):
    form = ErrorLogFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        since = data.get("since")
        filters = {
            "action": data.get("action") or "",
            "q": (data.get("q") or "").strip(),
            "since": timezone.make_aware(datetime.combine(since, time.min)) if since else None,
            "run_id": data.get("run"),
        }
    return form, filters


@permission_required("core.view_boi")
def error_log(request):
    form, filters = _error_filters(request)
    page = Paginator(selectors.error_log_list(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "boi/errors.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@permission_required("core.view_boi")
def error_detail(request, entry_id):
    entry = get_object_or_404(ErrorLogEntry, id=entry_id)
    staff = [staff_summary(s) for s in staff_in_payload(entry.payload)]
    return render(request, "boi/error.html", {"entry": entry, "staff": staff})


@permission_required("core.view_boi")
def error_request_download(request, entry_id):
    """The entry's whole request body as sent (JSON, SSNs masked)."""
    entry = get_object_or_404(ErrorLogEntry, id=entry_id)
    response = HttpResponse(selectors.error_log_request(entry), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="boi-error-{entry.id}-request.json"'
    return response


@permission_required("core.view_boi")
def error_log_pdf_view(request):
    _, filters = _error_filters(request)
    entries = selectors.error_log_list(**filters)[:2000]
    response = HttpResponse(error_log_pdf(entries), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="boi-error-log.pdf"'
    return response
