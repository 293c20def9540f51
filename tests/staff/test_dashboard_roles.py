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


def test_an_admin_finds_a_person_grants_roles_and_sees_who_has_what(
    client, district_admin, connection
):
    member = verified(connection)
    client.force_login(district_admin)
    page = client.get("/staff/dashboard-access/", {"q": member.last_name}).content.decode()
    assert member.display_name in page and 'value="HR operator"' in page
    response = client.post(
        f"/staff/dashboard-access/{member.id}/", {"roles": [HR_OPERATOR, AUDITOR]}
    )
    assert response.status_code == 302
    page = client.get("/staff/dashboard-access/").content.decode()
    assert "Auditor, HR operator" in page
    entry = AuditEntry.objects.get(action="dashboard.roles_changed")
    assert entry.actor_label == "dana_admin"
    assert entry.details == {"granted": [AUDITOR, HR_OPERATOR], "removed": []}
    client.post(f"/staff/dashboard-access/{member.id}/", {"roles": [AUDITOR]})
    removed = AuditEntry.objects.filter(action="dashboard.roles_changed").order_by("id").last()
    assert removed.details == {"granted": [], "removed": [HR_OPERATOR]}


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
