"""The invited person's way, in Chromium with a virtual platform authenticator."""

import re

import pytest

from idbridge.core.models import OutboxMessage
from staff.models import CampusConnection, OnboardingCase, Passkey
from staff.services.discovery import staff_records_from_campus
from staff.transitions import State
from tests.staff.conftest import HOME_EMAIL, code_sent_to, person

pytestmark = pytest.mark.browser


def add_authenticator(page, *, user_verified: bool, has_user_verification: bool = True):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": has_user_verification,
                "isUserVerified": user_verified,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, result["authenticatorId"]


@pytest.fixture
def invited(live_server, settings, transactional_db):
    settings.PUBLIC_BASE_URL = live_server.url
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    staff_records_from_campus(connection=connection, persons=[person(personal_email=HOME_EMAIL)])
    message = OutboxMessage.objects.get()
    return re.search(r"(http://\S+/staff/welcome/\S+/)", message.body_text).group(1)


def prove_record(page, link):
    """Open the invitation, confirm the record, enter the code sent to the personal e-mail."""
    page.goto(link)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Date of birth").fill("1985-04-12")
    page.get_by_label("Staff number").fill("S00001")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/onboarding/code/")
    assert "m•••@example.net" in page.get_by_role("main").inner_text()
    page.get_by_label("Code").fill(code_sent_to(HOME_EMAIL))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/onboarding/passkey/")


def test_invitation_to_verified_passkey_with_a_biometric_check(page, invited):
    prove_record(page, invited)
    cdp, authenticator = add_authenticator(page, user_verified=True)
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/staff/onboarding/done/")
    assert page.get_by_role("heading", name="You're all set").is_visible()
    case = OnboardingCase.objects.get()
    assert case.state == State.VERIFIED
    passkey = Passkey.objects.get()
    assert passkey.name == "Work laptop"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]


def test_enrollment_is_refused_without_user_verification(page, invited):
    prove_record(page, invited)
    add_authenticator(page, user_verified=False)
    page.get_by_role("button", name="Create passkey").click()
    status = page.get_by_role("status")
    status.filter(has_text="Could not add the passkey").wait_for()
    assert OnboardingCase.objects.get().state == State.PROOFING
    assert Passkey.objects.count() == 0


def test_a_used_invitation_link_cannot_start_a_second_browser(page, invited, chromium):
    prove_record(page, invited)
    other = chromium.new_context().new_page()
    try:
        other.goto(invited)
        other.get_by_role("button", name="Start").click()
        assert (
            other.get_by_role("alert").inner_text() == "This invitation link has already been used."
        )
    finally:
        other.context.close()


def test_the_server_refuses_a_passkey_created_without_user_verification(page, invited):
    """A modified page that asks the device not to verify the user gets nowhere."""
    prove_record(page, invited)
    # A security key with no fingerprint reader or PIN: it cannot verify the user at all.
    add_authenticator(page, user_verified=False, has_user_verification=False)
    result = page.evaluate(
        """async () => {
            const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const post = (url, body) => fetch(url, {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                body: JSON.stringify(body)});
            const options = await (await post("/staff/onboarding/passkey/options/", {})).json();
            Object.assign(options.authenticatorSelection, {userVerification: "discouraged",
                residentKey: "discouraged", requireResidentKey: false});
            const credential = await navigator.credentials.create({
                publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)});
            const response = await post("/staff/onboarding/passkey/verify/",
                {credential: credential.toJSON(), name: "tampered"});
            return {status: response.status, body: await response.json()};
        }"""
    )
    assert result["status"] == 400
    assert "verif" in result["body"]["error"].lower()
    assert Passkey.objects.count() == 0
    assert OnboardingCase.objects.get().state == State.PROOFING
