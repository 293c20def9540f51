"""Onboarding rate limits protect cases and invitations, not addresses: one case or one
invitation link hammered from a school's address is refused after its own budget while
the next person at that address goes on."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from idbridge import settings as shipped
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from staff.selectors import APPLICANT_CASE_KEY
from staff.services.discovery import staff_records_from_campus
from staff.transitions import State
from tests.ratelimits import one_window  # noqa: F401 (a fixture)
from tests.staff.conftest import person

SCHOOL_NAT = "198.51.100.7"
ENROLL_OPTIONS = "/staff/onboarding/passkey/options/"

pytestmark = pytest.mark.usefixtures("one_window")


@pytest.fixture
def shipped_limits(settings):
    for name in (
        "STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE",
        "STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE",
        "STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE",
    ):
        setattr(settings, name, getattr(shipped, name))
    cache.clear()


def invitation_links(connection, capture, count: int) -> list[str]:
    with capture(execute=True):
        staff_records_from_campus(
            connection=connection, persons=[person(n) for n in range(1, count + 1)]
        )
    messages = OutboxMessage.objects.order_by("id")
    return [re.search(r"http://\S+?(/staff/welcome/\S+/)", m.body_text)[1] for m in messages]


def applicant_at_enrollment(case: OnboardingCase) -> Client:
    """A browser whose invitation was opened, record checked and code entered for ``case``."""
    now = timezone.now()
    OnboardingCase.objects.filter(id=case.id).update(
        state=State.PROOFING, record_checked_at=now, second_factor="code", code_checked_at=now
    )
    browser = Client(REMOTE_ADDR=SCHOOL_NAT)
    session = browser.session
    session[APPLICANT_CASE_KEY] = case.id
    session.save()
    return browser


def test_one_invitation_is_refused_after_its_redemptions_while_another_opens(
    connection, django_capture_on_commit_callbacks, shipped_limits
):
    hammered, other = invitation_links(connection, django_capture_on_commit_callbacks, 2)
    limit = shipped.STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE
    codes = [Client(REMOTE_ADDR=SCHOOL_NAT).post(hammered).status_code for _ in range(limit + 1)]
    assert codes == [302] + [400] * (limit - 1) + [429]  # it works once; then replays
    assert Client(REMOTE_ADDR=SCHOOL_NAT).post(other).status_code == 302


def test_one_case_is_refused_after_its_attempts_while_another_enrolls(
    connection, django_capture_on_commit_callbacks, shipped_limits
):
    invitation_links(connection, django_capture_on_commit_callbacks, 2)
    hammered, other = OnboardingCase.objects.order_by("id")
    limit = shipped.STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE
    browser = applicant_at_enrollment(hammered)
    codes = [browser.post(ENROLL_OPTIONS).status_code for _ in range(limit + 2)]
    assert codes == [200] * limit + [429, 429]
    assert applicant_at_enrollment(other).post(ENROLL_OPTIONS).status_code == 200


def test_refusals_by_a_cases_own_limit_do_not_use_up_the_address(
    connection, django_capture_on_commit_callbacks, shipped_limits, settings
):
    invitation_links(connection, django_capture_on_commit_callbacks, 2)
    hammered, other = OnboardingCase.objects.order_by("id")
    settings.STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE = 3
    settings.STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE = 5
    browser = applicant_at_enrollment(hammered)
    codes = [browser.post(ENROLL_OPTIONS).status_code for _ in range(50)]
    assert codes == [200] * 3 + [429] * 47
    other_browser = applicant_at_enrollment(other)
    assert [other_browser.post(ENROLL_OPTIONS).status_code for _ in range(3)] == [200, 200, 429]
