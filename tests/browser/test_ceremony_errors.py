"""A fingerprint check that fails in the browser: a sentence a staff member understands,
a *Try again*, and an audit entry saying it was cancelled or declined at the prompt (a
check nobody answered in time is "timed out": tests/stepup/test_ceremony_failures.py)."""

import pytest

from idbridge.audit.models import AuditEntry
from stepup.policy import STEPUP_PAYROLL
from tests.browser import test_passkey_signin as signin_flow
from tests.stepup.conftest import authn_request_url

pytestmark = pytest.mark.browser

enrolled = signin_flow.enrolled  # the fixture: a staff member with a passkey


def test_a_declined_fingerprint_check_is_explained_in_words_and_audited_as_declined(
    page,
    enrolled,
    idp_at_live_server,
    register_sp,
    sp_client,
    default_policies,
):
    cdp, authenticator = enrolled
    register_sp()
    client = sp_client()
    signin_flow.sign_in_and_step_up(page, client, idp_at_live_server.url)
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    signin_flow.capture_acs(page)
    _, url = authn_request_url(
        client,
        idp_at_live_server.url,
        relay_state="/payroll",
        requested_authn_context=signin_flow.requested(STEPUP_PAYROLL),
        force_authn="true",
    )
    page.goto(url)
    page.wait_for_url("**/stepup/authenticate/**")
    assert "The service asked for a new fingerprint or face check" in page.inner_text("main")
    page.get_by_role("button", name="Use your passkey").click()
    status = page.get_by_role("status").filter(has_text="did not succeed")
    status.wait_for()
    words = status.inner_text()
    assert "timed out or was declined on your device" in words
    assert "w3.org" not in words and "operation" not in words
    assert page.get_by_role("button", name="Try again").is_visible()
    entry = AuditEntry.objects.get(action="stepup.check_not_completed")
    assert entry.details["outcome"] == "cancelled"
    assert entry.details["reason"].endswith("(or declined there)")
    assert entry.actor_label.startswith("staff:")
