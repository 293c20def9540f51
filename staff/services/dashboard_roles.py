"""Dashboard roles of verified staff (ADR 0014): who may use the dashboard, and as what.

A district admin grants roles (``idbridge.core.roles``) to a verified staff member; the
first grant makes the dashboard account linked to that person (``StaffMember.dashboard_user``,
no usable password: they sign in with their passkey). Removing every role keeps the account
but it can no longer sign in. Every change is audited with the roles granted and removed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from idbridge.audit.services import audit_record
from idbridge.core.roles import DISTRICT_ADMIN, ROLES
from staff.models import StaffMember
from staff.transitions import State

SEARCH_LIMIT = 20


class RoleChangeRefused(Exception):
    """A grant that cannot be made, in words for the page."""


def verified_staff_search(text: str):
    """Verified staff whose name, staff number or e-mail contains ``text``."""
    text = text.strip()
    if not text:
        return StaffMember.objects.none()
    words = Q()
    for word in text.split()[:4]:
        words &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(staff_number__iexact=word)
            | Q(work_email__icontains=word)
        )
    return (
        StaffMember.objects.filter(words, case__state=State.VERIFIED)
        .select_related("dashboard_user")
        .order_by("last_name", "first_name")[:SEARCH_LIMIT]
    )


def members_with_roles():
    """Everyone who holds a dashboard role, with their roles (one query for the groups)."""
    members = (
        StaffMember.objects.filter(dashboard_user__groups__isnull=False)
        .select_related("dashboard_user")
        .prefetch_related("dashboard_user__groups")
        .distinct()
        .order_by("last_name", "first_name")
    )
    return [(m, sorted(g.name for g in m.dashboard_user.groups.all())) for m in members]


def roles_of(member: StaffMember) -> list[str]:
    user = member.dashboard_user
    return sorted(user.groups.values_list("name", flat=True)) if user else []


@transaction.atomic
def dashboard_roles_set(member: StaffMember, roles: list[str], *, actor) -> tuple[set, set]:
    """Give ``member`` exactly ``roles``; returns (granted, removed). Audited."""
    case = getattr(member, "case", None)
    if roles and (case is None or case.state != State.VERIFIED):
        raise RoleChangeRefused("Only staff who finished onboarding can have dashboard roles.")
    return _roles_apply(member, set(roles), actor)


@transaction.atomic
def dashboard_roles_set_before_onboarding(
    member: StaffMember, roles: list[str], *, actor
) -> tuple[set, set]:
    """Like :func:`dashboard_roles_set` for someone still onboarding: for the set-up of
    the first administrator (``make demo``), whom nobody can grant a role to yet. The
    roles wait: sign-in needs a verified case's passkey, so they take effect only when
    the person has finished onboarding. Audited like any grant."""
    case = getattr(member, "case", None)
    if case is None or not case.is_open:
        raise RoleChangeRefused("Only staff who are onboarding can be given roles ahead.")
    return _roles_apply(member, set(roles), actor)


def _roles_apply(member: StaffMember, wanted: set, actor) -> tuple[set, set]:
    if not wanted <= set(ROLES):
        raise RoleChangeRefused("Pick roles from the list.")
    before = set(roles_of(member))
    if DISTRICT_ADMIN in before - wanted and _last_district_admin(member):
        raise RoleChangeRefused(
            "This is the last district admin: grant the role to someone else first."
        )
    user = member.dashboard_user or _dashboard_user_make(member)
    user.email = member.work_email or member.personal_email
    user.save(update_fields=["email"])
    user.groups.set(Group.objects.filter(name__in=wanted))
    granted, removed = wanted - before, before - wanted
    if granted or removed:
        audit_record(
            actor=actor,
            action="dashboard.roles_changed",
            target=member,
            details={"granted": sorted(granted), "removed": sorted(removed)},
        )
    return granted, removed


def _last_district_admin(member: StaffMember) -> bool:
    others = (
        get_user_model()
        .objects.filter(groups__name=DISTRICT_ADMIN, is_active=True, staff_member__isnull=False)
        .exclude(pk=member.dashboard_user_id)
    )
    return not others.exists()


def _dashboard_user_make(member: StaffMember):
    """The account's name is how the audit log already names this person in the IdP
    (``staff:<staff number>``), so their sign-ins and acts read alike."""
    users = get_user_model().objects
    username = f"staff:{member.staff_number or member.user_handle}"
    if not member.staff_number or users.filter(username=username).exists():
        username = f"staff:{member.user_handle}"
    user = users.create_user(
        username=username, first_name=member.first_name[:150], last_name=member.last_name[:150]
    )  # no password: create_user marks it unusable
    member.dashboard_user = user
    member.save(update_fields=["dashboard_user"])
    return user
