"""An administrative act through the real passkey check, and the home page's step-up
chart, in Chromium (virtual authenticator): a district admin whose session has no passkey
check changes how fresh the check for service-provider changes must be; the step-up page
asks for their passkey, comes back with the typed value kept, and one more Save applies
it. The home page's chart then shows the step-up outcomes and updates without a reload."""

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.audit.services import audit_record
from idbridge.core.roles import DISTRICT_ADMIN
from staff.models import StaffMember
from staff.services.dashboard_roles import dashboard_roles_set
from stepup.gates import sp_change_policy
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(page, idp_at_live_server, transactional_db):
    """A verified staff member, district admin, signed in to the dashboard but not to the
    IdP in this browser (no passkey check in the session yet)."""
    staff_onboarded_with_passkey(page)
    member = StaffMember.objects.get()
    dashboard_roles_set(member, [DISTRICT_ADMIN], actor="test")
    page.context.clear_cookies()
    base = page.url.split("/staff/")[0]
    member.refresh_from_db()
    dashboard_session(page, base, member.dashboard_user)
    return base


def test_a_policy_change_asks_for_the_passkey_and_keeps_what_was_typed(page, admin):
    base = admin
    page.goto(f"{base}/stepup/policies/")
    field = page.get_by_label("Max age in seconds for registering or removing a service provider")
    field.fill("120")
    field.press("Enter")
    page.wait_for_url("**/stepup/authenticate/**")
    assert page.locator("#stepup-reason").inner_text() == "Why: changing a step-up policy"
    assert sp_change_policy().max_age == 300
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"{base}/stepup/policies/")
    page.get_by_text("Your check is done").wait_for()
    assert field.input_value() == "120"
    field.press("Enter")
    page.get_by_text("Saved.").wait_for()
    assert sp_change_policy().max_age == 120
    assert AuditEntry.objects.filter(action="stepup.act_policy_changed").count() == 1


def test_the_home_page_charts_step_up_outcomes_and_updates_without_a_reload(page, admin):
    base = admin
    audit_record(actor="staff:S1", action="stepup.assertion_issued", details={"policy": "payroll"})
    page.goto(f"{base}/")
    chart = page.get_by_role("table", name="Step-up outcomes per action, last 7 days")
    row = chart.get_by_role("row", name="payroll")
    assert [t.strip() for t in row.get_by_role("cell").all_inner_texts()] == ["1", "0", "0"]
    page.evaluate("window.__same_page = true")
    audit_record(actor="staff:S1", action="stepup.denied", details={"policy": "payroll"})
    # status.js refreshes every 15 seconds while the page is visible.
    row.get_by_role("cell").nth(1).filter(has_text="1").wait_for(timeout=25_000)
    assert page.evaluate("window.__same_page") is True  # no reload
