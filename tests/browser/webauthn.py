"""A staff member with a real passkey, for browser tests that need one.

The passkey is enrolled through the real onboarding flow (invitation → record check →
the code sent to the personal e-mail → "Create passkey") into a Chromium virtual
authenticator (CDP, see ``tests.browser.test_enrollment.add_authenticator``), so later
ceremonies are real WebAuthn get() calls that the server verifies.
"""

import re

from idbridge.core.models import OutboxMessage
from staff.models import CampusConnection
from staff.services.discovery import staff_records_from_campus
from tests.browser.test_enrollment import add_authenticator, prove_record
from tests.staff.conftest import HOME_EMAIL, person


def staff_onboarded_with_passkey(page, **person_overrides):
    """Onboard ``person(**person_overrides)`` (tests/staff/conftest.py) in ``page``.

    Returns ``(cdp, authenticator_id)``. The record check types the default person's birth
    date and staff number, so override other fields only (``work_email=...`` to make the
    staff member someone's dashboard account). Example, for a later failing check::

        cdp, authenticator = staff_onboarded_with_passkey(page, work_email="omar@district.example")
        cdp.send("WebAuthn.setUserVerified",
                 {"authenticatorId": authenticator, "isUserVerified": False})
    """
    campus_person = person(**{"personal_email": HOME_EMAIL, **person_overrides})
    connection = CampusConnection.objects.create(name="Sandbox (staff)", kind="rest")
    staff_records_from_campus(connection=connection, persons=[campus_person])
    invitation = next(m for m in OutboxMessage.objects.all() if campus_person.work_email in m.to)
    prove_record(page, re.search(r"(http://\S+/staff/welcome/\S+/)", invitation.body_text)[1])
    cdp, authenticator = add_authenticator(page, user_verified=True)
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/staff/onboarding/done/")
    return cdp, authenticator
