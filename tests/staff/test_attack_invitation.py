"""Invitation links beyond the refusals already covered: truncated in every way a mail
client might cut it, and unused links of cases that are past the invitation (verified,
enrolled, locked): refused in words, nothing opened."""

import pytest
from django.test import Client

from staff.models import OnboardingCase
from staff.selectors import APPLICANT_CASE_KEY
from staff.transitions import State
from tests.staff.test_invitation_refusals import invited  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.parametrize("cut", ["half", "no signature", "one character", "padded", "case"])
def test_a_cut_or_altered_link_is_refused(invited, cut):  # noqa: F811 - the fixture
    case, path = invited
    token = _token(path)
    altered = {
        "half": token[: len(token) // 2],
        "no signature": token.rsplit(":", 1)[0],
        "one character": token[:-1],
        "padded": token + "A",
        "case": token.replace(token[:2], "ZZ", 1),
    }[cut]
    browser = Client()
    response = browser.post(f"/staff/welcome/{altered}/")
    assert response.status_code in (400, 404)
    assert APPLICANT_CASE_KEY not in browser.session
    assert OnboardingCase.objects.get(id=case.id).state == case.state


@pytest.mark.parametrize("state", [State.VERIFIED, State.ENROLLED, State.LOCKED])
def test_an_unused_link_of_a_case_past_the_invitation_is_refused(invited, state):  # noqa: F811
    case, path = invited
    OnboardingCase.objects.filter(id=case.id).update(state=state)
    browser = Client()
    response = browser.post(path)
    assert response.status_code in (400, 403)
    assert APPLICANT_CASE_KEY not in browser.session
    assert OnboardingCase.objects.get(id=case.id).state == state
