"""A verified staff member adds a second device's passkey, then retires the first.

In Chromium with virtual authenticators: the phone enrolls through onboarding; the person
signs in to their passkeys page with it, adds the laptop, signs in again with the laptop,
removes the phone, and the phone's passkey no longer signs anyone in.
"""

import pytest

from idbridge.core.models import OutboxMessage
from staff.models import Passkey
from tests.browser.test_enrollment import add_authenticator, invited, prove_record  # noqa: F401

pytestmark = pytest.mark.browser


def sign_in_with_passkey(page, base):
    page.goto(f"{base}/staff/me/passkeys/")
    page.wait_for_url("**/stepup/authenticate/**")
    page.get_by_role("button", name="Use your passkey").click()


def test_a_second_device_is_added_and_the_first_retired(page, invited, live_server):  # noqa: F811
    base = live_server.url
    prove_record(page, invited)
    cdp, phone = add_authenticator(page, user_verified=True)
    page.get_by_label("Name this passkey").fill("Phone")
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/staff/onboarding/done/")
    page.get_by_role("link", name="your passkeys").click()

    # Not signed in to the IdP yet: the page asks for a passkey sign-in first.
    page.wait_for_url("**/stepup/authenticate/**")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"{base}/staff/me/passkeys/")
    assert page.get_by_role("cell", name="Phone", exact=True).is_visible()

    # The laptop: a second authenticator. The phone's credential is kept aside to try later.
    phone_credential = cdp.send("WebAuthn.getCredentials", {"authenticatorId": phone})[
        "credentials"
    ][0]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": phone})
    laptop_cdp, laptop = add_authenticator(page, user_verified=False)

    # Without the biometric check the new passkey is refused.
    page.get_by_label("Name this passkey").fill("Laptop")
    page.get_by_role("button", name="Add passkey").click()
    page.get_by_text("Could not add the passkey").wait_for()
    assert Passkey.objects.count() == 1

    laptop_cdp.send("WebAuthn.setUserVerified", {"authenticatorId": laptop, "isUserVerified": True})
    OutboxMessage.objects.all().delete()
    page.get_by_role("button", name="Try again").click()
    page.get_by_text("Passkey “Laptop” added.").wait_for()
    assert page.get_by_role("cell", name="Laptop", exact=True).is_visible()
    mail = OutboxMessage.objects.get()
    assert mail.subject == "A passkey was added to your district sign-in"

    # Sign in again with the laptop, then retire the phone.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Signed out").wait_for()
    sign_in_with_passkey(page, base)
    page.wait_for_url(f"{base}/staff/me/passkeys/")
    page.get_by_role("button", name="Remove Phone").click()
    page.get_by_text("Passkey “Phone” removed.").wait_for()
    assert not Passkey.objects.get(name="Phone").is_active
    assert Passkey.objects.get(name="Laptop").last_used_at is not None

    # The old phone's passkey no longer signs in.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Signed out").wait_for()
    laptop_cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": laptop})
    phone_cdp, old_phone = add_authenticator(page, user_verified=True)
    phone_cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": old_phone, "credential": phone_credential}
    )
    sign_in_with_passkey(page, base)
    page.get_by_text("not registered for district sign-in").wait_for()
    assert "/stepup/authenticate/" in page.url
