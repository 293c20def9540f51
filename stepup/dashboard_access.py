"""Dashboard access (district admins): search verified staff, pick their roles, and see
who has what (ADR 0014). A change needs a fresh passkey check on the one gate
(``stepup.gates.role_change_policy``); the ticked roles wait in the session meanwhile.
Each change is audited by ``dashboard_roles_set``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from idbridge.core.models import BreakGlassAccount
from idbridge.core.roles import ROLES
from staff.models import StaffMember
from staff.services.dashboard_roles import (
    RoleChangeRefused,
    dashboard_roles_set,
    members_with_roles,
    roles_of,
    verified_staff_search,
)
from stepup.gates import fresh_check_decision, role_change_policy, step_up_url
from stepup.policy import Decision

PENDING_KEY = "dashboard_access.pending"


def role_change_check(request) -> Decision:
    """A break-glass session's TOTP sign-in is its check (it has no passkey; every use is
    audited and alerted); anyone else needs their own fresh passkey check."""
    if BreakGlassAccount.objects.filter(user=request.user).exists():
        return Decision(allowed=True, reason="break-glass session", policy="role-change")
    return fresh_check_decision(
        request,
        role_change_policy(),
        email=request.user.email,
        signed_out_reason="Verify with your passkey to change roles.",
    )


@permission_required("core.manage_roles")
def dashboard_access(request):
    query = request.GET.get("q", "")
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
            "fresh": role_change_check(request).allowed,
        },
    )


@require_POST
@permission_required("core.manage_roles")
def dashboard_roles(request, member_id):
    member = get_object_or_404(StaffMember.objects.select_related("case"), pk=member_id)
    wanted = request.POST.getlist("roles")
    check = role_change_check(request)
    if not check.allowed:
        return _check_first(request, member, wanted, check)
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


def _check_first(request, member, wanted, check: Decision):
    """Keep the ticked roles, and send the admin to a fresh passkey check that comes back
    to this person's row with them ticked (one more Save applies them)."""
    request.session[PENDING_KEY] = {"member_id": member.id, "roles": wanted}
    messages.info(request, check.reason)
    back = reverse("stepup:dashboard_access") + "?" + _query(member)
    return redirect(
        step_up_url(
            request,
            next_url=back,
            reason="grant or remove dashboard roles",
            sp="idbridge dashboard",
            email=request.user.email,
        )
    )


def _query(member) -> str:
    return urlencode({"q": member.staff_number or member.last_name})


def _change_words(member, granted, removed) -> str:
    parts = []
    if granted:
        parts.append("granted " + ", ".join(sorted(granted)))
    if removed:
        parts.append("removed " + ", ".join(sorted(removed)))
    return f"{member.display_name}: " + "; ".join(parts) + "."
