"""HR recovers stuck cases from the case page, in a browser: a resend for an applicant in
proofing who lost the browser session (the old link stops working, the new one starts
over), and Unlock and resend, with a reason, for a case locked by failed record checks."""

import re

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from staff.transitions import State
from tests.conftest import dashboard_session
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.browser

WRONG = {"birth_date": "1985-04-12", "staff_number": "WRONG"}


def latest_link() -> str:
    body = OutboxMessage.objects.latest("id").body_text
    return re.search(r"http://\S+?(/staff/welcome/\S+/)", body)[1]


def sign_in_as_hr(page, live_server):
    from django.contrib.auth.models import User

    dashboard_session(page, live_server.url, User.objects.get(username="omar_hr"))


def applicant_starts(chromium, url: str):
    """The applicant opens their link in a browser of their own and starts; that page."""
    context = chromium.new_context()
    applicant = context.new_page()
    applicant.goto(url)
    applicant.get_by_role("button", name="Start").click()
    return applicant


@pytest.fixture
def case(live_server, hr_operator):
    from staff.models import CampusConnection

    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = discovered(connection, person(1))  # a new hire: invited at once
    return OnboardingCase.objects.get(staff_member=member)


def test_hr_resends_from_the_case_page_to_an_applicant_stuck_in_proofing(
    page, live_server, chromium, case
):
    old_link = live_server.url + latest_link()
    lost = applicant_starts(chromium, old_link)
    lost.get_by_role("heading", name="Confirm your details").wait_for()
    lost.context.close()  # the applicant loses the browser session
    assert OnboardingCase.objects.get(id=case.id).state == State.PROOFING

    sign_in_as_hr(page, live_server)
    page.goto(f"{live_server.url}/staff/cases/{case.id}/")
    page.get_by_text("the record check starts over").wait_for()
    page.get_by_role("button", name="Resend invitation").click()
    page.get_by_text("A new invitation was sent; earlier links no longer work.").wait_for()
    assert page.locator("dl.meta strong").first.inner_text() == "Invited"
    assert AuditEntry.objects.get(action="staff.case.restart").actor_label == "omar_hr"

    new_link = live_server.url + latest_link()
    assert new_link != old_link
    applicant = applicant_starts(chromium, new_link)
    applicant.get_by_role("heading", name="Confirm your details").wait_for()
    applicant.context.close()
    stale = applicant_starts(chromium, old_link)  # the link that was lost stays spent
    stale.get_by_role("heading", name="We can't continue").wait_for()
    assert "This invitation link has already been used." in stale.content()
    stale.context.close()


def test_hr_unlocks_a_locked_case_from_the_case_page_with_a_reason(
    page, live_server, chromium, case, settings
):
    settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS = 3
    applicant = applicant_starts(chromium, live_server.url + latest_link())
    for _ in range(3):
        applicant.get_by_label("Staff number").fill(WRONG["staff_number"])
        applicant.get_by_label("Date of birth").fill(WRONG["birth_date"])
        applicant.get_by_role("button", name="Continue").click()
        applicant.wait_for_load_state()
    applicant.context.close()
    assert OnboardingCase.objects.get(id=case.id).state == State.LOCKED
    sent = OutboxMessage.objects.count()

    sign_in_as_hr(page, live_server)
    page.goto(f"{live_server.url}/staff/cases/{case.id}/")
    assert page.get_by_role("button", name="Re-proof (disables passkeys)").is_visible()
    unlock = page.get_by_role("form", name="Unlock and resend")
    unlock.get_by_role("button", name="Unlock and resend invitation").click()
    assert OnboardingCase.objects.get(id=case.id).state == State.LOCKED  # a reason first
    unlock.get_by_label("Reason").fill("identity confirmed by phone")
    unlock.get_by_role("button", name="Unlock and resend invitation").click()
    page.get_by_text("Unlocked: failed attempts cleared and a new invitation was sent.").wait_for()

    case.refresh_from_db()
    assert case.state == State.INVITED and case.record_check_attempts == 0
    assert OutboxMessage.objects.count() == sent + 1
    entry = AuditEntry.objects.get(action="staff.case.unlock")
    assert entry.actor_label == "omar_hr"
    assert entry.details["reason"].startswith("identity confirmed by phone")
    assert case.staff_member.passkeys.filter(disabled_at__isnull=False).count() == 0
