"""A dashboard passkey sign-in the browser gives up on, in Chromium with a virtual
authenticator: declined at the device is audited as cancelled, nobody answering before
the ceremony's timeout as timed out (the page tells the two apart; the browser calls both
NotAllowedError)."""

import json

import pytest

from idbridge.audit.models import AuditEntry
from tests.browser.webauthn import staff_onboarded_with_passkey

pytestmark = pytest.mark.browser


@pytest.fixture
def onboarded(page, idp_at_live_server, transactional_db):
    cdp, authenticator = staff_onboarded_with_passkey(page)
    page.context.clear_cookies()
    return idp_at_live_server.url, cdp, authenticator


def _failed_check(page, base):
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with your passkey").click()
    page.locator("#passkey-status").filter(has_text="did not succeed").wait_for(timeout=60_000)
    page.get_by_role("button", name="Try again").wait_for()
    return AuditEntry.objects.get(action="stepup.check_not_completed")


def test_a_sign_in_declined_at_the_device_is_audited_as_cancelled(page, onboarded):
    base, cdp, authenticator = onboarded
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    entry = _failed_check(page, base)
    assert entry.details["outcome"] == "cancelled"
    assert "declined on your device" in page.locator("#passkey-status").inner_text()


def test_a_sign_in_nobody_answers_in_time_is_audited_as_timed_out(page, onboarded):
    base, cdp, authenticator = onboarded
    # Nobody touches the device, and the ceremony's timeout is short.
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator, "enabled": False},
    )

    def short_timeout(route):
        response = route.fetch()
        options = response.json()
        options["timeout"] = 1500
        route.fulfill(response=response, body=json.dumps(options))

    page.route("**/accounts/login/options/", short_timeout)
    entry = _failed_check(page, base)
    assert entry.details["outcome"] == "timed-out"
    assert "did not answer in time" in page.locator("#passkey-status").inner_text()
