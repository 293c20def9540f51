"""The invited applicant's way, without a dashboard account: open the invitation, confirm
the record, (enroll a passkey: ``stepup.ceremonies``), done."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from idbridge import ratelimit
from staff.forms import RecordCheckForm
from staff.limits import invitation_redemption_allowed, onboarding_attempt_allowed
from staff.selectors import (
    APPLICANT_CASE_KEY,
    applicant_case_get,
    record_check_miss_message,
    record_facts_overdue,
)
from staff.services.cases import OnboardingError
from staff.services.invitations import invitation_redeem
from staff.services.proofing import desk_code_issue, record_check_submit, record_facts_request
from staff.transitions import State

TOO_MANY = "Too many attempts. Wait a minute and try again."


def _problem(request, message: str, status: int):
    return render(request, "staff/applicant/problem.html", {"problem": message}, status=status)


@require_http_methods(["GET", "POST"])
def welcome(request, token):
    # GET only shows a button: mail scanners that prefetch links must not use up the
    # single-use invitation.
    if request.method == "GET":
        return render(request, "staff/applicant/welcome.html")
    if not invitation_redemption_allowed(request, token):
        return _problem(request, TOO_MANY, 429)
    try:
        case = invitation_redeem(token=token, client_ip=ratelimit.client_address(request))
    except OnboardingError as exc:
        return _problem(request, str(exc), 400)
    request.session.cycle_key()
    request.session[APPLICANT_CASE_KEY] = case.id
    return redirect("staff:record_check")


@require_http_methods(["GET", "POST"])
def record_check(request):
    case = applicant_case_get(request)
    if case.state == State.LOCKED:
        return _problem(
            request, "Too many attempts: your onboarding is locked. Ask HR to help you.", 403
        )
    if case.record_checked_at:
        return redirect("staff:proofing_code")
    if not case.staff_member.has_record_facts:
        return _record_facts_pending(request, case)
    form = RecordCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not onboarding_attempt_allowed(request, case.id):
            return _problem(request, TOO_MANY, 429)
        try:
            ok = record_check_submit(
                case=case,
                birth_date=form.cleaned_data["birth_date"].isoformat(),
                staff_number=form.cleaned_data["staff_number"],
            )
        except OnboardingError as exc:
            return _problem(request, str(exc), 400)
        if ok:
            return redirect("staff:proofing_code")
        case.refresh_from_db()
        if case.state == State.LOCKED:
            return redirect("staff:record_check")
        form.add_error(None, record_check_miss_message(case))
    return render(request, "staff/applicant/record_check.html", {"form": form, "case": case})


DESK_CODE_KEY = "onboarding_desk_code"
# Seconds between the "checking your record" page's reloads.
CHECKING_REFRESH_SECONDS = 2


def _record_facts_pending(request, case):
    """Campus has not given this person's record facts yet. A task asks Campus (never this
    request: a slow Campus must not hold a web worker); the page reloads until the facts
    are here, or says Campus did not answer and offers to try again."""
    member = case.staff_member
    retry = request.method == "POST" and "retry" in request.POST
    if retry and not onboarding_attempt_allowed(request, case.id):
        return _problem(request, TOO_MANY, 429)
    if retry or member.record_facts_requested_at is None:
        record_facts_request(member=member)
        member.refresh_from_db(fields=["record_facts_requested_at", "record_facts_fetched_at"])
    if record_facts_overdue(member):
        return render(request, "staff/applicant/checking.html", {"overdue": True}, status=503)
    return render(
        request, "staff/applicant/checking.html", {"refresh_seconds": CHECKING_REFRESH_SECONDS}
    )


@require_GET
def done(request):
    case = applicant_case_get(request)
    desk_code = ""
    if case.state == State.ENROLLED and not case.supervised_checked_at:
        # Shown to HR at the supervised check; kept in this browser's session only.
        desk_code = request.session.get(DESK_CODE_KEY) if case.desk_code_hash else ""
        if not desk_code:
            desk_code = request.session[DESK_CODE_KEY] = desk_code_issue(case=case)
    return render(request, "staff/applicant/done.html", {"case": case, "desk_code": desk_code})
