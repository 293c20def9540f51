"""The whole step-up story in Chromium: a staff member onboards for real, signs in to the
Campus sandbox's portal (a SAML SP) with their passkey, opens payroll, gives a fresh
biometric check and sees the payroll class reference; then, with user verification
failing on the device, a payroll re-check is refused with NoAuthnContext while the portal
session lives on.

The passkey lives in a CDP virtual authenticator (ctap2, internal, user verification);
``WebAuthn.setUserVerified`` false makes Chromium refuse the UV-required ceremony.
"""

import pytest

from idbridge.audit.models import AuditEntry
from staff.models import Passkey
from stepup.policy import REFEDS_MFA, STEPUP_PAYROLL
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.sandbox.sp.conftest import default_policies, portal_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PORTAL = "/sandbox/campus/portal/"
PAYROLL = "/sandbox/campus/payroll/"


@pytest.fixture
def enrolled(page, portal_server):  # noqa: F811 - the imported fixture
    """A verified staff member whose passkey lives in the page's virtual authenticator,
    enrolled through the real onboarding flow (invitation → record check → passkey)."""
    return staff_onboarded_with_passkey(page)


def test_portal_sign_in_then_payroll_step_up_then_a_failed_check_is_refused(
    page,
    enrolled,
    portal_server,  # noqa: F811 - the imported fixture
):
    cdp, authenticator = enrolled
    base = portal_server.url

    # Sign in to the portal: the sandbox sends an AuthnRequest, idbridge asks for the passkey.
    page.goto(base + PORTAL)
    page.wait_for_url("**/stepup/authenticate/**")
    assert page.get_by_role("heading", name="Sign in with your passkey").is_visible()
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"**{PORTAL}")
    assert page.get_by_test_id("portal-user").first.inner_text() == "Maria Lopez1"
    assert page.get_by_test_id("portal-class-ref").inner_text() == REFEDS_MFA
    assert page.get_by_role("cell", name="S00001").is_visible()  # employeeNumber
    sign_count = Passkey.objects.get().sign_count

    # Payroll: a new AuthnRequest for the payroll class with ForceAuthn, a fresh check.
    page.get_by_role("link", name="Payroll").first.click()
    page.wait_for_url("**/stepup/authenticate/**")
    assert page.get_by_role("heading", name="Confirm it's you").is_visible()
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"**{PAYROLL}")
    assert page.get_by_test_id("step-up-class-ref").inner_text() == STEPUP_PAYROLL
    assert Passkey.objects.get().sign_count > sign_count
    page.get_by_role("button", name="Approve the payroll run").click()
    page.get_by_role("status").filter(has_text="Payroll run approved (simulated)").wait_for()

    # The device's user verification now fails: the re-check cannot succeed, the person
    # cancels, idbridge answers NoAuthnContext, the portal shows the refusal.
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    page.get_by_role("link", name="Confirm again with a fresh check").click()
    page.wait_for_url("**/stepup/authenticate/**")
    page.get_by_role("button", name="Use your passkey").click()
    page.get_by_role("status").filter(has_text="did not succeed").wait_for()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/sandbox/campus/saml/acs/")
    assert page.get_by_role("heading", name="Step-up refused").is_visible()
    assert "NoAuthnContext" in page.get_by_test_id("saml-status").inner_text()
    assert AuditEntry.objects.filter(action="stepup.check_failed").exists()

    # The portal session survives the refusal.
    page.get_by_role("link", name="Back to the portal").click()
    page.wait_for_url(f"**{PORTAL}")
    assert page.get_by_test_id("portal-user").first.inner_text() == "Maria Lopez1"
    assert page.get_by_role("heading", name="Who you are").is_visible()
