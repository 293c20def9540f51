"""Guessing the birth date at the record check, over HTTP: every miss is audited, the case
locks at the limit, the right answer is refused after that, and the invitation link opened
again in another browser gives no fresh attempts (it is refused: single use)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from idbridge.audit.models import AuditEntry
from staff.models import OnboardingCase
from staff.transitions import State
from tests.staff.test_invitation_refusals import invited  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

CHECK = "/staff/onboarding/check/"
RIGHT = {"birth_date": "1985-04-12", "staff_number": "S00001"}


def _guesses():
    day = date(1985, 1, 1)
    while True:
        if day.isoformat() != RIGHT["birth_date"]:
            yield {"birth_date": day.isoformat(), "staff_number": "S00001"}
        day += timedelta(days=1)


def test_birth_date_guesses_lock_the_case_and_are_each_audited(invited, settings):  # noqa: F811
    case, link = invited
    limit = settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS
    guesses = _guesses()
    first, second = Client(), Client()
    assert first.post(link).status_code == 302
    for _ in range(limit - 1):
        assert first.post(CHECK, next(guesses)).status_code == 200
    # A second browser with the same link gets no fresh attempts: the link was used.
    assert second.post(link).status_code == 400
    assert second.post(CHECK, next(guesses)).status_code == 404
    first.post(CHECK, next(guesses))
    assert OnboardingCase.objects.get(id=case.id).state == State.LOCKED
    failed = AuditEntry.objects.filter(action="staff.proofing.record_check_failed")
    assert failed.count() == limit
    assert "1985" not in str(list(failed.values_list("details", flat=True)))
    for browser in (first, second):
        response = browser.post(CHECK, RIGHT)
        assert response.status_code in (302, 403, 404)
        assert OnboardingCase.objects.get(id=case.id).record_checked_at is None
    assert Client().post(link).status_code == 400
    assert OnboardingCase.objects.get(id=case.id).state == State.LOCKED
