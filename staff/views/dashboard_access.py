"""Dashboard access (district admins): search verified staff, pick their roles, and see
who has what (ADR 0014). Each change is audited by ``dashboard_roles_set``."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from idbridge.core.roles import ROLES
from staff.models import StaffMember
from staff.services.dashboard_roles import (
    RoleChangeRefused,
    dashboard_roles_set,
    members_with_roles,
    roles_of,
    verified_staff_search,
)


@permission_required("core.manage_roles")
def dashboard_access(request):
    query = request.GET.get("q", "")
    found = [(m, roles_of(m)) for m in verified_staff_search(query)]
    return render(
        request,
        "staff/dashboard_access.html",
        {"query": query, "found": found, "holders": members_with_roles(), "roles": ROLES},
    )


@require_POST
@permission_required("core.manage_roles")
def dashboard_roles(request, member_id):
    member = get_object_or_404(StaffMember.objects.select_related("case"), pk=member_id)
    try:
        granted, removed = dashboard_roles_set(
            member, request.POST.getlist("roles"), actor=request.user
        )
    except RoleChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        if granted or removed:
            messages.success(request, _change_words(member, granted, removed))
        else:
            messages.info(request, f"No change for {member.display_name}.")
    return redirect("staff:dashboard_access")


def _change_words(member, granted, removed) -> str:
    parts = []
    if granted:
        parts.append("granted " + ", ".join(sorted(granted)))
    if removed:
        parts.append("removed " + ", ".join(sorted(removed)))
    return f"{member.display_name}: " + "; ".join(parts) + "."
