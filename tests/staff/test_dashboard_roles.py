"""Dashboard roles granted to verified staff from the dashboard (district admins only)."""

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.core.roles import AUDITOR, DISTRICT_ADMIN, HR_OPERATOR
from staff.models import CampusConnection, OnboardingCase
from staff.services.dashboard_roles import RoleChangeRefused, dashboard_roles_set
from staff.transitions import State
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection():
    return CampusConnection.objects.create(name="Sandbox", kind="rest")


def verified(connection, **kw):
    member = discovered(connection, person(**kw))
    OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
    member.refresh_from_db()
    return member


def test_grants_and_removals_are_audited_with_what_changed(connection):
    member = verified(connection)
    dashboard_roles_set(member, [HR_OPERATOR, AUDITOR], actor="dana_admin")
    dashboard_roles_set(member, [AUDITOR], actor="dana_admin")
    entries = AuditEntry.objects.filter(action="dashboard.roles_changed").order_by("id")
    assert [e.details for e in entries] == [
        {"granted": [AUDITOR, HR_OPERATOR], "removed": []},
        {"granted": [], "removed": [HR_OPERATOR]},
    ]
    member.refresh_from_db()
    assert member.dashboard_user.username == f"staff:{member.staff_number}"
    assert member.dashboard_user.email == member.work_email


@pytest.mark.parametrize("persona", ["hr_operator", "auditor"])
def test_only_district_admins_manage_roles(request, client, persona, connection):
    member = verified(connection)
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/staff/dashboard-access/").status_code == 403
    response = client.post(f"/staff/dashboard-access/{member.id}/", {"roles": [DISTRICT_ADMIN]})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.dashboard_user is None


def test_staff_who_did_not_finish_onboarding_get_no_role(connection):
    member = discovered(connection, person())
    with pytest.raises(RoleChangeRefused):
        dashboard_roles_set(member, [HR_OPERATOR], actor="test")


def test_search_finds_only_verified_staff(client, district_admin, connection):
    unverified = discovered(connection, person(last_name="Unfinished"))
    client.force_login(district_admin)
    page = client.get("/staff/dashboard-access/", {"q": "Unfinished"}).content.decode()
    assert unverified.display_name not in page.split("Grant or remove roles")[1]


def test_the_last_district_admin_keeps_the_role(connection):
    member = verified(connection)
    dashboard_roles_set(member, [DISTRICT_ADMIN], actor="test")
    with pytest.raises(RoleChangeRefused):
        dashboard_roles_set(member, [], actor="test")
