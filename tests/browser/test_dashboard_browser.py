"""Dashboard sign-in in Chromium (ADR 0014): a verified staff member's passkey (a virtual
authenticator) signs them in once a district admin granted a role; without one it does
not. No password anywhere."""

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.core.roles import HR_OPERATOR
from staff.models import StaffMember
from staff.services.dashboard_roles import dashboard_roles_set
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser


@pytest.fixture
def onboarded(page, idp_at_live_server, transactional_db):
    """A verified staff member whose passkey lives in the page's virtual authenticator."""
    staff_onboarded_with_passkey(page)
    page.context.clear_cookies()  # onboarding signed nobody in to the dashboard
    return StaffMember.objects.get()


def test_a_granted_staff_member_signs_in_with_the_keyboard_and_a_passkey(page, onboarded):
    base = page.url.split("/staff/")[0]
    dashboard_roles_set(onboarded, [HR_OPERATOR], actor="dana_admin")
    page.goto(f"{base}/boi/")
    page.wait_for_url("**/accounts/login/?next=/boi/")
    assert page.locator("input[type=password]").count() == 0
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")  # the skip link moves focus to the main content
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("button", name="Sign in with your passkey").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/boi/")
    assert page.get_by_role("heading", name="Business Office").is_visible()
    signed_in = AuditEntry.objects.get(action="dashboard.signed_in")
    assert signed_in.actor_label == f"staff:{onboarded.staff_number}"


def test_a_verified_staff_member_without_a_role_cannot_get_in(page, onboarded):
    base = page.url.split("/staff/")[0]
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with your passkey").click()
    status = page.locator("#passkey-status")
    status.filter(has_text="no dashboard role").wait_for()
    assert page.goto(f"{base}/audit/").url.startswith(f"{base}/accounts/login/")
    assert AuditEntry.objects.filter(action="dashboard.sign_in_refused").count() == 1


def test_an_outsider_sees_no_sections_and_is_refused_a_section(page, live_server, outsider):
    dashboard_session(page, live_server.url, outsider)
    assert page.get_by_text("Your account has no role yet").is_visible()
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
