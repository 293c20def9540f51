"""The invited applicant's way, without a dashboard account: open the invitation, confirm
the record, (enroll a passkey: ``stepup.ceremonies``), done."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from idbridge import ratelimit
from idbridge.connectors.types import CampusError
from staff.forms import RecordCheckForm
from staff.limits import invitation_redemption_allowed, onboarding_attempt_allowed
from staff.selectors import APPLICANT_CASE_KEY, applicant_case_get, record_check_miss_message
from staff.services.cases import OnboardingError
from staff.services.invitations import invitation_redeem
from staff.services.proofing import (
    desk_code_issue,
    record_check_submit,
    staff_refresh_birth_date,
)
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
    form = RecordCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not onboarding_attempt_allowed(request, case.id):
            return _problem(request, TOO_MANY, 429)
        if not case.staff_member.birth_date:
            try:
                staff_refresh_birth_date(member=case.staff_member)
            except CampusError:
                return _problem(
                    request,
                    "We could not reach Campus to check your record. Try again in a few minutes.",
                    503,
                )
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
