"""A refused invitation link (tampered, expired, used, superseded, its case closed) is
audited with the reason and the client address, never the token; a flood of them is
audited only up to STAFF_REFUSALS_AUDITED_PER_MINUTE per address, and all are refused."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import Invitation, OnboardingCase
from staff.services.invitations import invitation_send
from staff.transitions import State
from tests.staff.conftest import discovered, person


@pytest.fixture
def invited(connection, django_capture_on_commit_callbacks):
    """A discovered person's case and the welcome URL their invitation email carries."""
    cache.clear()  # refusal counts from earlier tests in this minute
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(connection, person())
    case = OnboardingCase.objects.get(staff_member=member)
    return case, _welcome_path()


def _welcome_path() -> str:
    body = OutboxMessage.objects.latest("id").body_text
    return re.search(r"http://[^/\s]+(/staff/welcome/\S+/)", body).group(1)


def _refusals():
    return list(AuditEntry.objects.filter(action="staff.invitation.refused").order_by("id"))


def _assert_one_refusal(reason: str, target: str, path: str) -> None:
    [entry] = _refusals()
    assert entry.details["reason"] == reason
    assert entry.details["client_ip"] == "127.0.0.1"
    assert entry.target == target
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(entry.details) and token not in entry.target


def test_a_tampered_link_is_refused_and_audited(client, invited):
    _, path = invited
    tampered = path[:-1] + "xx/"
    assert client.post(tampered).status_code == 400
    _assert_one_refusal("invalid", "", tampered)


def test_an_expired_link_is_refused_and_audited(client, invited):
    case, path = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(path)
    assert response.status_code == 400 and b"expired" in response.content
    _assert_one_refusal("expired", f"staff.onboardingcase:{case.pk}", path)


def test_a_link_past_its_signed_lifetime_is_refused_and_audited(client, invited, settings):
    _, path = invited
    settings.STAFF_INVITATION_TTL_HOURS = -1
    assert client.post(path).status_code == 400
    _assert_one_refusal("expired", "", path)


def test_a_used_link_is_refused_and_audited(client, invited):
    case, path = invited
    assert client.post(path).status_code == 302
    assert _refusals() == []
    response = client.post(path)
    assert response.status_code == 400 and b"already been used" in response.content
    _assert_one_refusal("used", f"staff.onboardingcase:{case.pk}", path)


def test_a_superseded_link_is_refused_and_audited(
    client, invited, hr_operator, django_capture_on_commit_callbacks
):
    case, path = invited
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(case=case, actor=hr_operator, reason="resend")
    response = client.post(path)
    assert response.status_code == 400 and b"newer invitation" in response.content
    _assert_one_refusal("superseded", f"staff.onboardingcase:{case.pk}", path)
    assert client.post(_welcome_path()).status_code == 302


def test_a_link_of_a_closed_case_is_refused_and_audited(client, invited):
    case, path = invited
    OnboardingCase.objects.filter(pk=case.pk).update(state=State.REVOKED)
    response = client.post(path)
    assert response.status_code == 400 and b"no longer be used" in response.content
    _assert_one_refusal("closed", f"staff.onboardingcase:{case.pk}", path)
    assert Invitation.objects.get().used_at is None


def test_refusals_beyond_the_limit_are_refused_but_not_audited(client, invited, settings):
    _, path = invited
    settings.STAFF_REFUSALS_AUDITED_PER_MINUTE = 3
    codes = [client.post(path[:-1] + f"x{n}/").status_code for n in range(6)]
    assert codes == [400] * 6
    assert len(_refusals()) == 3
