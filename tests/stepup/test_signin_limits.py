"""Sign-in and step-up rate limits protect accounts, not addresses: a school's whole staff
behind one NAT address signs in at 8 a.m., while one credential hammered from that same
address is refused after its own budget. Real passkey answers (``authenticator``)."""

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client
from webauthn.helpers import bytes_to_base64url

from idbridge import settings as shipped
from staff.models import CampusConnection, OnboardingCase, StaffMember
from staff.transitions import State
from stepup.subjects import SUBJECT_KEY
from tests.ratelimits import one_window  # noqa: F401 (a fixture)
from tests.stepup.authenticator import SoftwarePasskey, passkey_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_window")]

SCHOOL_NAT = "198.51.100.7"
SIGN_IN_LIMITS = (
    "STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE",
    "STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE",
    "STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE",
)


@pytest.fixture
def shipped_limits(settings):
    """The sign-in limits as shipped (the test settings lift the per-address ceiling)."""
    for name in SIGN_IN_LIMITS:
        setattr(settings, name, getattr(shipped, name))
    cache.clear()


def verified_staff_with_passkeys(count: int) -> list[SoftwarePasskey]:
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    StaffMember.objects.bulk_create(
        StaffMember(
            connection=connection,
            campus_key=str(5000 + n),
            staff_number=f"S{n:05d}",
            first_name="Staff",
            last_name=f"Member{n}",
            birth_date="1985-04-12",
            work_email=f"staff{n}@district.example",
        )
        for n in range(count)
    )
    members = list(StaffMember.objects.filter(connection=connection).order_by("id"))
    OnboardingCase.objects.bulk_create(
        OnboardingCase(staff_member=m, state=State.VERIFIED) for m in members
    )
    passkeys = []
    for member in members:
        passkeys.append(SoftwarePasskey(member.user_handle))
        passkey_store(passkeys[-1], member)
    return passkeys


def sign_in(browser: Client, passkey: SoftwarePasskey, *, tamper: bool = False):
    """Options then verify, as the browser script does; the verify response."""
    options = browser.post("/stepup/authenticate/options/")
    if options.status_code != 200:
        return options
    credential = passkey.assertion(options.json())
    if tamper:  # a well-formed ECDSA signature, of something else
        credential["response"]["signature"] = bytes_to_base64url(bytes.fromhex("3006020101020101"))
    return browser.post(
        "/stepup/authenticate/verify/",
        json.dumps({"credential": credential}),
        content_type="application/json",
    )


def test_a_schools_whole_staff_signs_in_through_one_address_within_a_minute(
    shipped_limits,
):
    passkeys = verified_staff_with_passkeys(300)
    started = time.monotonic()
    statuses, signed_in = [], set()
    for passkey in passkeys:
        browser = Client(REMOTE_ADDR=SCHOOL_NAT)  # each person's own browser, one NAT
        response = sign_in(browser, passkey)
        statuses.append(response.status_code)
        signed_in.add((browser.session.get(SUBJECT_KEY) or {}).get("subject_id"))
    print(f"300 sign-ins (600 requests) in {time.monotonic() - started:.1f}s")
    assert statuses == [200] * 300
    assert signed_in == {p.user_handle for p in passkeys}


def test_one_credential_is_refused_after_its_attempts_while_another_still_signs_in(
    shipped_limits,
):
    hammered, other = verified_staff_with_passkeys(2)
    limit = shipped.STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE
    browser = Client(REMOTE_ADDR=SCHOOL_NAT)
    codes = [sign_in(browser, hammered).status_code for _ in range(limit + 2)]
    assert codes == [200] * limit + [429, 429]
    assert sign_in(Client(REMOTE_ADDR=SCHOOL_NAT), other).status_code == 200


def test_a_credentials_failed_answers_lock_it_for_the_minute_not_its_neighbours(
    shipped_limits,
):
    hammered, other = verified_staff_with_passkeys(2)
    limit = shipped.STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE
    browser = Client(REMOTE_ADDR=SCHOOL_NAT)
    codes = [sign_in(browser, hammered, tamper=True).status_code for _ in range(limit)]
    assert codes == [400] * limit  # the signature does not verify
    assert sign_in(browser, hammered).status_code == 429  # even a good answer, this minute
    assert sign_in(Client(REMOTE_ADDR=SCHOOL_NAT), other).status_code == 200


def test_the_address_ceiling_still_holds(settings, shipped_limits):
    settings.STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = 4
    passkeys = verified_staff_with_passkeys(3)
    codes = [sign_in(Client(REMOTE_ADDR=SCHOOL_NAT), p).status_code for p in passkeys]
    assert codes == [200, 200, 429]
    assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), passkeys[2]).status_code == 200
