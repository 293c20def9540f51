"""HR recovers stuck cases: a resend to an applicant in proofing who lost the browser
session, an unlock (with a reason) for a locked case, and the applicant told how many
record-check attempts are left."""

import re

import pytest
from django.test import Client

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from staff.transitions import State
from tests.staff.conftest import discovered, person

RIGHT = {"birth_date": "1985-04-12", "staff_number": "S00001"}
WRONG = {"birth_date": "1985-04-12", "staff_number": "WRONG"}


def latest_link() -> str:
    body = OutboxMessage.objects.latest("id").body_text
    return re.search(r"http://\S+?(/staff/welcome/\S+/)", body)[1]


@pytest.fixture
def case(connection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(connection, person(1))
    return OnboardingCase.objects.get(staff_member=member)


@pytest.fixture
def hr(client, hr_operator, django_capture_on_commit_callbacks):
    """The HR operator's browser; its posts run what waits for the commit (the mail)."""
    client.force_login(hr_operator)

    def post(path, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, follow=True)

    return post


def applicant_opens(link: str) -> Client:
    browser = Client()
    assert browser.post(link).status_code == 302
    return browser


def test_hr_resends_to_an_applicant_in_proofing_who_lost_the_session(case, hr):
    old_link = latest_link()
    browser = applicant_opens(old_link)
    assert browser.post("/staff/onboarding/check/", RIGHT).status_code == 302
    response = hr(f"/staff/cases/{case.id}/resend/")
    assert b"A new invitation was sent" in response.content
    case.refresh_from_db()
    assert case.state == State.INVITED
    assert case.record_checked_at is None and case.invitations_sent == 2
    entry = AuditEntry.objects.get(action="staff.case.restart")
    assert entry.actor_label == "omar_hr" and "record check" in entry.details["reason"]
    assert Client().post(old_link).status_code == 400  # the old link stays spent
    new_browser = applicant_opens(latest_link())
    form = new_browser.get("/staff/onboarding/check/")
    assert form.status_code == 200 and b"Confirm your details" in form.content


def test_the_case_page_offers_a_resend_while_proofing(case, client, hr_operator):
    applicant_opens(latest_link())
    client.force_login(hr_operator)
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Resend invitation" in html and "record check starts over" in html


def test_a_resent_link_supersedes_the_one_not_yet_opened(case, hr):
    old_link = latest_link()
    applicant_opens(old_link)
    hr(f"/staff/cases/{case.id}/resend/")
    unopened = latest_link()
    hr(f"/staff/cases/{case.id}/resend/")
    refused = Client().post(unopened)
    assert refused.status_code == 400 and b"A newer invitation was sent" in refused.content
    assert AuditEntry.objects.filter(
        action="staff.invitation.refused", details__reason="superseded"
    ).exists()


def test_a_resend_while_proofing_keeps_to_the_reinvite_limit(case, hr, settings):
    settings.STAFF_INVITATION_MAX_SENDS = 1
    applicant_opens(latest_link())
    response = hr(f"/staff/cases/{case.id}/resend/")
    assert b"invited 1 times already" in response.content
    case.refresh_from_db()
    assert case.state == State.PROOFING and case.invitations_sent == 1


def test_failed_attempts_survive_a_resend(case, hr):
    browser = applicant_opens(latest_link())
    browser.post("/staff/onboarding/check/", WRONG)
    hr(f"/staff/cases/{case.id}/resend/")
    case.refresh_from_db()
    assert case.record_check_attempts == 1  # only an unlock, with a reason, clears them


def locked(case, settings) -> OnboardingCase:
    settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS = 3
    browser = applicant_opens(latest_link())
    for _ in range(3):
        browser.post("/staff/onboarding/check/", WRONG)
    case.refresh_from_db()
    assert case.state == State.LOCKED
    return case


def test_hr_unlocks_a_locked_case_with_a_reason_and_a_fresh_invitation(case, hr, settings):
    case = locked(case, settings)
    sent = OutboxMessage.objects.count()
    response = hr(f"/staff/cases/{case.id}/unlock/", {"reason": "identity confirmed by phone"})
    assert b"Unlocked" in response.content
    case.refresh_from_db()
    assert case.state == State.INVITED and case.record_check_attempts == 0
    assert OutboxMessage.objects.count() == sent + 1
    entry = AuditEntry.objects.get(action="staff.case.unlock")
    assert entry.actor_label == "omar_hr"
    assert entry.details["reason"].startswith("identity confirmed by phone")
    assert case.events.filter(event="unlock", reason__contains="3 failed").exists()
    browser = applicant_opens(latest_link())
    assert browser.post("/staff/onboarding/check/", RIGHT).status_code == 302
    case.refresh_from_db()
    assert case.record_checked_at is not None


def test_an_unlock_needs_a_reason(case, hr, settings):
    case = locked(case, settings)
    response = hr(f"/staff/cases/{case.id}/unlock/", {"reason": ""})
    assert b"Give a reason." in response.content
    case.refresh_from_db()
    assert case.state == State.LOCKED
    assert not AuditEntry.objects.filter(action="staff.case.unlock").exists()


def test_an_auditor_cannot_unlock(case, client, auditor, settings):
    case = locked(case, settings)
    client.force_login(auditor)
    assert b"Unlock and resend" not in client.get(f"/staff/cases/{case.id}/").content
    assert client.post(f"/staff/cases/{case.id}/unlock/", {"reason": "x"}).status_code == 403


def test_hr_sees_unlock_and_reproof_on_a_locked_case(case, client, hr_operator, settings):
    case = locked(case, settings)
    client.force_login(hr_operator)
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Unlock and resend invitation" in html and "Re-proof (disables passkeys)" in html


def test_the_record_check_says_how_many_attempts_are_left(case, settings):
    settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS = 5
    browser = applicant_opens(latest_link())
    first = browser.post("/staff/onboarding/check/", WRONG).content.decode()
    assert "That does not match the Campus record." in first
    assert "attempts left" not in first
    second = browser.post("/staff/onboarding/check/", WRONG).content.decode()
    assert (
        "That does not match the Campus record. "
        "3 attempts left before your onboarding is locked." in second
    )
    browser.post("/staff/onboarding/check/", WRONG)
    fourth = browser.post("/staff/onboarding/check/", WRONG).content.decode()
    assert "1 attempt left before your onboarding is locked." in fourth
    fifth = browser.post("/staff/onboarding/check/", WRONG, follow=True)
    assert b"your onboarding is locked" in fifth.content
