"""The server's refusals of a passkey answer, each audited with its own outcome: user
verification missing, an unknown passkey, a disabled one, a person not verified. (The
browser's own failures, cancelled and timed out: tests/stepup/test_ceremony_failures.py.)"""

import json

import pytest
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.audit.words import lines_in_words
from staff.models import CampusConnection, OnboardingCase
from staff.transitions import State
from tests.staff.conftest import discovered, person
from tests.stepup.authenticator import SoftwarePasskey, passkey_store

pytestmark = pytest.mark.django_db

OPTIONS, VERIFY = "/stepup/authenticate/options/", "/stepup/authenticate/verify/"


@pytest.fixture
def member():
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = discovered(connection, person())
    OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
    return member


def _sign_in(client, passkey: SoftwarePasskey, **answer):
    options = client.post(OPTIONS).json()
    credential = passkey.assertion(options, **answer)
    return client.post(
        VERIFY, json.dumps({"credential": credential}), content_type="application/json"
    )


def test_an_answer_without_user_verification_is_audited_as_uv_missing(client, member):
    passkey = SoftwarePasskey(member.user_handle)
    passkey_store(passkey, member)
    response = _sign_in(client, passkey, user_verified=False)
    assert response.status_code == 400
    entry = AuditEntry.objects.get(action="stepup.check_failed")
    assert entry.details["outcome"] == "uv-missing"
    assert entry.details["reason"] == (
        "refused: the device did not verify the person (no fingerprint, face or screen lock)"
    )
    (line,) = lines_in_words([entry])
    assert "failed a fingerprint or face check" in line.sentence
    assert ("Reason", entry.details["reason"]) in line.details


def test_a_verified_answer_with_a_bad_signature_is_not_called_uv_missing(client, member):
    passkey = SoftwarePasskey(member.user_handle)
    passkey_store(passkey, member)
    passkey.private_key = SoftwarePasskey(member.user_handle).private_key  # another key
    assert _sign_in(client, passkey).status_code == 400
    entry = AuditEntry.objects.get(action="stepup.check_failed")
    assert "outcome" not in entry.details
    assert entry.details["reason"].startswith("The passkey check failed")


def test_a_passkey_the_district_does_not_know_is_audited_as_unknown_credential(client, member):
    response = _sign_in(client, SoftwarePasskey(member.user_handle))  # never stored
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="stepup.passkey_refused")
    assert entry.details["outcome"] == "unknown-credential"
    assert entry.details["reason"] == "refused: a passkey the district does not know"


def test_a_disabled_passkey_is_audited_as_disabled(client, member):
    passkey = SoftwarePasskey(member.user_handle)
    stored = passkey_store(passkey, member)
    stored.disabled_at = timezone.now()
    stored.save(update_fields=["disabled_at"])
    assert _sign_in(client, passkey).status_code == 403
    entry = AuditEntry.objects.get(action="stepup.passkey_refused")
    assert entry.details["outcome"] == "disabled-credential"


def test_a_passkey_of_someone_still_onboarding_is_audited_as_such(client, member):
    passkey = SoftwarePasskey(member.user_handle)
    passkey_store(passkey, member)
    OnboardingCase.objects.filter(staff_member=member).update(state=State.PROOFING)
    assert _sign_in(client, passkey).status_code == 403
    entry = AuditEntry.objects.get(action="stepup.passkey_refused")
    assert entry.details["outcome"] == "unverified-person"


def test_the_four_outcomes_read_differently():
    from stepup.ceremonies import outcomes

    failures = [
        outcomes.browser_failure("AbortError"),
        outcomes.browser_failure("TimeoutError"),
        outcomes.UV_MISSING,
        outcomes.UNKNOWN_CREDENTIAL,
    ]
    assert [f.code for f in failures] == [
        "cancelled",
        "timed-out",
        "uv-missing",
        "unknown-credential",
    ]
    assert len({f.audit for f in failures}) == 4
