"""The onboarding passkey API called out of order, for another person's case, with a
replayed challenge, or with a body that names another case: refused, nothing bound."""

import json

import pytest
from django.test import Client

from staff.models import OnboardingCase, Passkey
from staff.services.discovery import staff_records_from_campus
from tests.staff.conftest import connection, person  # noqa: F401 (connection: a fixture)
from tests.staff.test_onboarding_limits import applicant_at_enrollment

pytestmark = pytest.mark.django_db

OPTIONS = "/staff/onboarding/passkey/options/"
VERIFY = "/staff/onboarding/passkey/verify/"
FORGED = {"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}}


@pytest.fixture
def two_cases(connection, django_capture_on_commit_callbacks):  # noqa: F811 - the fixture
    with django_capture_on_commit_callbacks(execute=True):
        staff_records_from_campus(connection=connection, persons=[person(1), person(2)])
    return list(OnboardingCase.objects.order_by("id"))


def _verify(browser: Client, body: dict):
    return browser.post(VERIFY, json.dumps(body), content_type="application/json")


def test_a_browser_without_an_opened_invitation_gets_nothing(two_cases):
    stranger = Client()
    assert stranger.post(OPTIONS).status_code == 404
    assert _verify(stranger, FORGED).status_code == 404


def test_options_before_the_record_check_are_refused(two_cases):
    browser = Client()
    session = browser.session
    session["onboarding_case_id"] = two_cases[0].id  # invitation opened, nothing checked
    session.save()
    assert browser.post(OPTIONS).status_code == 409
    assert _verify(browser, FORGED).json()["error"].startswith("Start again")


def test_a_challenge_is_used_once_and_the_body_cannot_name_another_case(two_cases):
    mine, theirs = two_cases
    browser = applicant_at_enrollment(mine)
    options = browser.post(OPTIONS).json()
    assert options["user"]["name"] == mine.staff_member.work_email
    first = _verify(browser, {**FORGED, "case": theirs.id, "case_id": theirs.id})
    assert first.status_code == 400
    replayed = _verify(browser, {**FORGED, "challenge": options["challenge"]})
    assert replayed.json() == {"error": "Start again: the passkey request expired."}
    assert not Passkey.objects.exists()
    theirs.refresh_from_db()
    assert theirs.state == "invited"


def test_a_verified_case_opens_no_enrollment(two_cases):
    mine, _ = two_cases
    browser = applicant_at_enrollment(mine)
    OnboardingCase.objects.filter(id=mine.id).update(state="verified")
    assert browser.get("/staff/onboarding/passkey/")["Location"] == "/staff/onboarding/done/"
    assert browser.post(OPTIONS).status_code == 409
