"""The applicant's second step: the one-time code sent to a second channel Campus holds
(``staff.services.second_factor``), between the record check and the passkey."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from staff.forms import ProofingCodeForm
from staff.limits import onboarding_attempt_allowed, proofing_code_send_allowed
from staff.models import SECOND_FACTOR_CODE
from staff.selectors import applicant_case_get
from staff.services.cases import OnboardingError
from staff.services.second_factor import (
    code_miss_message,
    proofing_code_check,
    proofing_code_resend,
    second_factor_ensure,
)
from staff.transitions import State
from staff.views.applicant import TOO_MANY, _problem

TOO_MANY_CODES = "Several codes were sent already. Use the latest one, or wait an hour."


@require_http_methods(["GET", "POST"])
def proofing_code(request):
    case = applicant_case_get(request)
    if case.state == State.LOCKED or case.record_checked_at is None:
        return redirect("staff:record_check")  # says it is locked, or asks for the record
    if not case.second_factor:
        case = second_factor_ensure(case=case)
    if case.is_ready_for_passkey or case.second_factor != SECOND_FACTOR_CODE:
        return redirect("stepup:enroll")
    resend = request.POST.get("action") == "resend"
    form = ProofingCodeForm(request.POST if request.method == "POST" and not resend else None)
    said = ""  # what a request for a new code got
    if request.method == "POST":
        if not onboarding_attempt_allowed(request, case.id):
            return _problem(request, TOO_MANY, 429)
        if resend:
            said = _resend(case)
        elif form.is_valid() and _check(case, form):
            return redirect("stepup:enroll")
        case.refresh_from_db()
        if case.state == State.LOCKED:
            return redirect("staff:record_check")
    context = {
        "form": form,
        "case": case,
        "said": said,
        "minutes": settings.STAFF_PROOFING_CODE_TTL_MINUTES,
    }
    return render(request, "staff/applicant/code.html", context)


def _resend(case) -> str:
    if not proofing_code_send_allowed(case.id):
        return TOO_MANY_CODES
    try:
        proofing_code_resend(case=case)
    except OnboardingError as exc:
        return str(exc)
    return "A new code was sent; the one before no longer works."


def _check(case, form) -> bool:
    try:
        if proofing_code_check(case=case, code=form.cleaned_data["code"]):
            return True
    except OnboardingError as exc:
        form.add_error(None, str(exc))
        return False
    case.refresh_from_db()
    form.add_error(None, code_miss_message(case))
    return False
