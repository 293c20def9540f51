"""Dashboard access (district admins): search verified staff, pick their roles, and see
who has what (ADR 0014). A change needs a fresh passkey check on the one gate
(``stepup.gates.role_change_policy`` through ``idbridge.core.gates``); the ticked roles
wait in the session meanwhile.
Each change is audited by ``dashboard_roles_set``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from idbridge.core.gates import act_check, act_gate, is_break_glass, waiting_form
from idbridge.core.roles import ROLES
from staff.models import StaffMember
from staff.services.dashboard_roles import (
    RoleChangeRefused,
    dashboard_roles_set,
    members_with_roles,
    roles_of,
    verified_staff_search,
)

PENDING_KEY = "dashboard_access.pending"


ROLE_CHANGE = "role-change"  # stepup.gates.role_change_policy


@permission_required("core.manage_roles")
def dashboard_access(request):
    query = request.GET.get("q", "")
    waiting_form(request)  # the ticked roles below wait in PENDING_KEY
    pending = request.session.get(PENDING_KEY) or {}
    found = []
    for member in verified_staff_search(query):
        held = roles_of(member)
        if pending.get("member_id") == member.id:
            held = pending["roles"]  # what the admin ticked before the passkey check
        found.append((member, held))
    return render(
        request,
        "stepup/dashboard_access.html",
        {
            "query": query,
            "found": found,
            "holders": members_with_roles(),
            "roles": ROLES,
            "pending": pending,
            "fresh": act_check(request, ROLE_CHANGE).allowed,
            "break_glass": is_break_glass(request.user),  # checks with a code, not a passkey
        },
    )


@require_POST
@permission_required("core.manage_roles")
def dashboard_roles(request, member_id):
    member = get_object_or_404(StaffMember.objects.select_related("case"), pk=member_id)
    wanted = request.POST.getlist("roles")
    back = reverse("stepup:dashboard_access") + "?" + _query(member)
    if refused := act_gate(request, ROLE_CHANGE, back=back):
        # The ticked roles wait; the page shows them ticked, one more Save applies them.
        request.session[PENDING_KEY] = {"member_id": member.id, "roles": wanted}
        return refused
    request.session.pop(PENDING_KEY, None)
    try:
        granted, removed = dashboard_roles_set(member, wanted, actor=request.user)
    except RoleChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        if granted or removed:
            messages.success(request, _change_words(member, granted, removed))
        else:
            messages.info(request, f"No change for {member.display_name}.")
    return redirect("stepup:dashboard_access")


def _query(member) -> str:
    return urlencode({"q": member.staff_number or member.last_name})


def _change_words(member, granted, removed) -> str:
    parts = []
    if granted:
        parts.append("granted " + ", ".join(sorted(granted)))
    if removed:
        parts.append("removed " + ", ".join(sorted(removed)))
    return f"{member.display_name}: " + "; ".join(parts) + "."
