"""Passkey sign-in and step-up at the IdP, in Chromium with a virtual authenticator.

A staff member onboards for real (invitation → record check → passkey), then a SAML SP
(pysaml2, see tests/stepup/conftest.py) sends them to the IdP: usernameless sign-in, then
payroll's fresh biometric check, then a check whose user verification fails. The SP's
ACS is intercepted in the browser so the signed Response can be verified by the SP.
"""

import base64
from urllib.parse import parse_qs

import pytest
from saml2 import BINDING_HTTP_POST
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext

from idbridge.audit.models import AuditEntry
from staff.models import Passkey
from stepup.policy import REFEDS_MFA, STEPUP_PAYROLL
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.stepup.conftest import SP_ACS, authn_request_url

pytestmark = pytest.mark.browser


@pytest.fixture
def enrolled(page, idp_at_live_server, transactional_db):
    """A verified staff member whose passkey lives in the page's virtual authenticator."""
    return staff_onboarded_with_passkey(page, roles=("teacher",))


def capture_acs(page):
    """Intercept the auto-posted SAMLResponse at the SP's ACS; returns a dict filled later."""
    captured = {}

    def handle(route):
        captured.update({k: v[0] for k, v in parse_qs(route.request.post_data).items()})
        route.fulfill(status=200, content_type="text/html", body="<p>SP received it</p>")

    page.route(SP_ACS, handle)
    return captured


def requested(ref):
    return RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=ref)], comparison="exact"
    )


def sign_in_and_step_up(page, client, base_url):
    captured = capture_acs(page)
    reqid, url = authn_request_url(client, base_url, relay_state="/portal")
    page.goto(url)
    page.wait_for_url("**/stepup/authenticate/**")
    assert page.get_by_role("heading", name="Sign in with your passkey").is_visible()
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(SP_ACS)
    signed_in = client.parse_authn_request_response(
        captured["SAMLResponse"], BINDING_HTTP_POST, {reqid: "/portal"}
    )
    return signed_in, captured


def test_passkey_sign_in_then_payroll_step_up_asserts_the_payroll_class(
    page, enrolled, idp_at_live_server, register_sp, sp_client, default_policies
):
    register_sp(released_attributes=["email", "staff_number", "given_name"])
    client = sp_client()
    signed_in, _ = sign_in_and_step_up(page, client, idp_at_live_server.url)
    assert signed_in.authn_info()[0][0] == REFEDS_MFA
    assert signed_in.ava["employeeNumber"] == ["S00001"]
    sign_count_after_sign_in = Passkey.objects.get().sign_count

    # Payroll asks for its own class with ForceAuthn: a fresh biometric check, by the same person.
    captured = capture_acs(page)
    reqid, url = authn_request_url(
        client,
        idp_at_live_server.url,
        relay_state="/payroll",
        requested_authn_context=requested(STEPUP_PAYROLL),
        force_authn="true",
    )
    page.goto(url)
    page.wait_for_url("**/stepup/authenticate/**")
    assert page.get_by_role("heading", name="Confirm it's you").is_visible()
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(SP_ACS)
    payroll = client.parse_authn_request_response(
        captured["SAMLResponse"], BINDING_HTTP_POST, {reqid: "/payroll"}
    )
    assert payroll.authn_info()[0][0] == STEPUP_PAYROLL
    assert Passkey.objects.get().sign_count > sign_count_after_sign_in
    assert AuditEntry.objects.filter(action="stepup.check_succeeded").count() == 2


def test_a_failed_biometric_check_is_answered_with_no_authn_context(
    page, enrolled, idp_at_live_server, register_sp, sp_client, default_policies
):
    cdp, authenticator = enrolled
    register_sp()
    client = sp_client()
    sign_in_and_step_up(page, client, idp_at_live_server.url)

    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    captured = capture_acs(page)
    _, url = authn_request_url(
        client,
        idp_at_live_server.url,
        relay_state="/payroll",
        requested_authn_context=requested(STEPUP_PAYROLL),
        force_authn="true",
    )
    page.goto(url)
    page.wait_for_url("**/stepup/authenticate/**")
    page.get_by_role("button", name="Use your passkey").click()
    page.get_by_role("status").filter(has_text="did not succeed").wait_for()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(SP_ACS)
    xml = base64.b64decode(captured["SAMLResponse"]).decode()
    assert "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext" in xml
    assert AuditEntry.objects.filter(action="stepup.check_failed").exists()

    # The IdP session survives: a plain sign-in request is answered at once.
    captured = capture_acs(page)
    reqid, url = authn_request_url(client, idp_at_live_server.url, relay_state="/portal")
    page.goto(url)
    page.wait_for_url(SP_ACS)
    again = client.parse_authn_request_response(
        captured["SAMLResponse"], BINDING_HTTP_POST, {reqid: "/portal"}
    )
    assert again.authn_info()[0][0] == REFEDS_MFA
