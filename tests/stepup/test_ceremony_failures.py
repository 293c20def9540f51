"""A passkey check the browser gave up on: recorded in words, once, and only for a
ceremony this session started."""

import json

import pytest
from django.conf import settings

from idbridge.audit.models import AuditEntry
from stepup.ceremonies.outcomes import KNOWN_NAMES, browser_failure
from stepup.ceremonies.views.signin import SESSION_CHALLENGE
from tests.ratelimits import one_window  # noqa: F401 (a fixture)
from tests.stepup.conftest import signed_in_session

pytestmark = pytest.mark.django_db

URL = "/stepup/authenticate/failed/"


def _with_pending_check(client, session_key=None):
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    session = client.session
    session[SESSION_CHALLENGE] = "00" * 32
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def _report(client, name):
    return client.post(URL, json.dumps({"error": name}), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("NotAllowedError", "cancelled at the browser's or device's prompt (or declined there)"),
        ("TimeoutError", "timed out (nobody answered the device in time)"),
        ("AbortError", "cancelled (the page's Cancel)"),
        ("InvalidStateError", "refused by the device: this passkey is already registered"),
        ("SecurityError", "refused by the browser: the page's address does not match the site"),
        ("<script>", "not completed (the browser reported another error)"),
    ],
)
def test_each_browser_error_is_recorded_in_words(name, words):
    assert browser_failure(name).audit == words


def test_every_known_browser_error_has_its_own_words():
    audits = [browser_failure(name).audit for name in KNOWN_NAMES]
    assert len(set(audits)) == len(audits)


def test_a_check_declined_at_the_prompt_is_audited_as_cancelled_for_the_signed_in_person(
    client,
):
    _with_pending_check(client, signed_in_session())
    assert _report(client, "NotAllowedError").status_code == 204
    entry = AuditEntry.objects.get(action="stepup.check_not_completed")
    assert entry.actor_label.startswith("staff:")
    assert entry.details["reason"].startswith("cancelled at the browser's or device's prompt")
    assert entry.details["outcome"] == "cancelled"


def test_a_check_nobody_answered_in_time_is_audited_as_timed_out(client):
    # The page reports TimeoutError when the browser's NotAllowedError came after the
    # ceremony's own timeout (static/stepup/passkey.js).
    _with_pending_check(client, signed_in_session())
    assert _report(client, "TimeoutError").status_code == 204
    entry = AuditEntry.objects.get(action="stepup.check_not_completed")
    assert entry.details["outcome"] == "timed-out"
    assert entry.details["reason"] == "timed out (nobody answered the device in time)"


def test_a_report_is_recorded_once_per_ceremony(client):
    _with_pending_check(client)
    _report(client, "NotAllowedError")
    _report(client, "NotAllowedError")
    assert AuditEntry.objects.filter(action="stepup.check_not_completed").count() == 1


def test_a_report_without_a_pending_ceremony_records_nothing(client):
    assert _report(client, "NotAllowedError").status_code == 204
    assert not AuditEntry.objects.filter(action="stepup.check_not_completed").exists()


@pytest.mark.usefixtures("one_window")
def test_a_flood_of_reports_is_refused_by_the_sign_in_limit(client, settings):
    settings.STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = 3
    statuses = []
    for _ in range(5):
        _with_pending_check(client)
        statuses.append(_report(client, "NotAllowedError").status_code)
    assert statuses == [204, 204, 204, 429, 429]
    assert AuditEntry.objects.filter(action="stepup.check_not_completed").count() == 3
