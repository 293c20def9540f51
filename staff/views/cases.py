"""The dashboard's onboarding cases: the funnel and list, a case, and HR's actions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from idbridge.audit.words import people_named
from idbridge.core.access import permission_required
from idbridge.core.paging import (
    filter_query,
    html_rows,
    keyset_page_for,
    url_for_each,
)
from idbridge.core.times import local_time
from staff import selectors
from staff.campus_names import role_label, school_label, school_names
from staff.forms import CaseSearchForm, ReasonForm, SupervisedCheckForm
from staff.models import OnboardingCase, display_name, invitation_email
from staff.proofing import proofing_status
from staff.services.cases import OnboardingError, case_revoke
from staff.services.existing import existing_invite
from staff.services.invitations import case_unlock_resend, invitation_resend, invitation_send
from staff.services.proofing import supervised_check_record
from staff.transitions import State, allowed_events, event_words
from staff.views.funnel import glance

CASES_PER_PAGE = 50


@permission_required("core.view_onboarding")
def index(request):
    form = CaseSearchForm(
        request.GET or None,
        states=[s.value for s in State],
        attention=selectors.ATTENTION.items(),
    )
    filters = {"q": "", "state": "", "attention": ""}
    if form.is_valid():
        filters = {name: form.cleaned_data[name].strip() for name in filters}
    cases = selectors.case_list(**filters)
    page = keyset_page_for(request, cases, size=CASES_PER_PAGE)
    counts = glance()
    return render(
        request,
        "staff/index.html",
        {
            "funnel_html": counts["funnel_html"],
            "attention": counts["attention"],
            "filters": filters,
            "form": form,
            "page": page,
            "rows": case_rows(page),
            "query": filter_query(filters),
            "connections": selectors.connection_list(),
            "existing": counts["existing"],
            "days": counts["days"],
            "glance_html": counts["html"],
        },
    )


def case_rows(page) -> str:
    """The list's rows as HTML, made here: fifty rows rendered through template lookups,
    ``{% url %}`` and ``|date`` cost more than the query and the rest of the page."""
    case_url = url_for_each("staff:case")
    return html_rows(
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                case_url(case["id"]),
                display_name(case["staff_member__first_name"], case["staff_member__last_name"]),
                case["staff_member__staff_number"],
                invitation_email(
                    case["staff_member__work_email"], case["staff_member__personal_email"]
                ),
                case["state"].title(),
                local_time(case["created_at"]),
            )
            for case in page
        ),
    )


@permission_required("core.view_onboarding")
def case_detail(request, case_id):
    try:
        case = selectors.case_get(case_id)
    except OnboardingCase.DoesNotExist:
        raise Http404 from None
    events = list(case.events.all())
    names = people_named(e.actor_label for e in events)
    schools = school_names()
    return render(
        request,
        "staff/case.html",
        {
            "case": case,
            "events": [(e, event_words(e.event), names[e.actor_label]) for e in events],
            "schools": [school_label(key, schools) for key in case.staff_member.schools or []],
            "roles": [role_label(role) for role in case.staff_member.roles or []],
            "passkeys": case.staff_member.passkeys.all(),
            "invitations": case.invitations.all()[:10],
            "allowed": {e.value for e in allowed_events(case.state)},
            "proofing": proofing_status(case),
            "supervised_form": SupervisedCheckForm(initial={"decision": "approve"}),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@permission_required("core.manage_onboarding")
def case_action(request, case_id, action):
    case = get_object_or_404(OnboardingCase, id=case_id)
    act = _ACTIONS.get(action)
    if act is None:
        raise Http404
    try:
        act(request, case, action)
    except OnboardingError as exc:
        messages.error(request, str(exc))
    return redirect("staff:case", case_id=case.id)


def _invite(request, case, action):
    existing_invite(case=case, actor=request.user)
    messages.success(request, "An invitation was sent.")


def _resend(request, case, action):
    invitation_resend(case=case, actor=request.user)
    messages.success(request, "A new invitation was sent; earlier links no longer work.")


def _with_reason(request, case, action):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason.")
        return
    reason = form.cleaned_data["reason"]
    if action == "unlock":
        case_unlock_resend(case=case, actor=request.user, reason=reason)
        messages.success(
            request, "Unlocked: failed attempts cleared and a new invitation was sent."
        )
    elif action == "reproof":
        invitation_send(case=case, actor=request.user, reason=reason, reproof=True)
        messages.success(
            request,
            "Re-proofing started: old passkeys are disabled and a new invitation was sent.",
        )
    else:
        case_revoke(case=case, actor=request.user, reason=f"{action}: {reason}")
        messages.success(request, "Access revoked.")


def _supervised(request, case, action):
    form = SupervisedCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the document you inspected.")
        return
    supervised_check_record(
        case=case,
        actor=request.user,
        approved=form.cleaned_data["decision"] == "approve",
        document=form.cleaned_data["document"],
        note=form.cleaned_data["note"],
        desk_code=form.cleaned_data["desk_code"],
    )
    messages.success(request, "Supervised check recorded.")


_ACTIONS = {
    "invite": _invite,
    "resend": _resend,
    "revoke": _with_reason,
    "cancel": _with_reason,
    "reproof": _with_reason,
    "unlock": _with_reason,
    "supervised": _supervised,
}
