"""The passkey ceremony's server side: what it refuses without a browser."""

import json
from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from staff.models import CampusConnection, OnboardingCase, Passkey
from staff.services.cases import case_revoke
from staff.transitions import State
from stepup import subjects
from stepup.ceremonies import signin
from stepup.ceremonies.views.signin import SESSION_CHALLENGE
from stepup.policy import PASSKEY, AuthEvent
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_member():
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = discovered(connection, person())
    OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
    return member


def answer(client, credential_id):
    """A well-formed assertion for ``credential_id`` whose signature is not checked yet."""
    credential = {
        "id": credential_id,
        "rawId": credential_id,
        "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA"},
    }
    return client.post(
        "/stepup/authenticate/verify/",
        json.dumps({"credential": credential}),
        content_type="application/json",
    )


def test_sign_in_options_are_usernameless_and_ask_for_user_verification(client):
    options = client.post("/stepup/authenticate/options/").json()
    assert options["userVerification"] == "required"
    assert options.get("allowCredentials", []) == []


def test_an_answer_without_a_challenge_is_refused(client):
    response = client.post(
        "/stepup/authenticate/verify/",
        json.dumps({"credential": {}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "expired" in response.json()["error"]


def test_garbage_is_refused_clearly(client):
    client.post("/stepup/authenticate/options/")
    response = client.post(
        "/stepup/authenticate/verify/", "not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "unreadable" in response.json()["error"]


def test_an_unknown_passkey_is_refused_and_audited(client):
    client.post("/stepup/authenticate/options/")
    response = answer(client, "AAAA")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="stepup.passkey_refused").exists()


def test_cancel_only_follows_the_idps_own_resume_links(client):
    response = client.post("/stepup/authenticate/cancel/", {"next": "https://evil.test/x"})
    assert response["Location"] == "/"
    assert "stepup.cancelled" not in client.session
    response = client.post("/stepup/authenticate/cancel/", {"next": "/idp/sso/continue/k1"})
    assert response["Location"] == "/idp/sso/continue/k1"
    assert client.session["stepup.cancelled"] == "k1"


def test_revoked_staff_lose_their_idp_session_at_once(verified_member):
    request = SimpleNamespace(session=SessionStore())
    request.session.create()
    subjects.set_subject_loader(signin.subject_load)
    subject = signin.subject_from_member(verified_member)
    subjects.sso_session_start(request, subject, AuthEvent(PASSKEY, timezone.now(), True))
    assert subjects.sso_session_subject(request) == subject
    case_revoke(case=verified_member.case, actor="test", reason="left")
    assert subjects.sso_session_subject(request) is None
    assert subjects.sso_session_events(request) == []


def test_the_subject_carries_campus_attributes_but_an_opaque_id(verified_member):
    subject = signin.subject_from_member(verified_member)
    assert subject.subject_id == verified_member.user_handle
    assert subject.staff_number == "S00001"
    assert subject.email == "maria.lopez1@district.example"
    assert subject.roles == ("teacher",)


def _commit_check_asked_for(client, email):
    session = client.session
    session["stepup.challenge"] = {"mode": "step-up", "reason": "Commit", "email": email}
    session.save()


def _passkey(member, name):
    return Passkey.objects.create(
        staff_member=member, name=name, credential_id=name, public_key=b"pk"
    )


def test_a_check_asked_for_by_email_offers_only_that_persons_passkeys(client, verified_member):
    _passkey(verified_member, "bWluZQ")
    _commit_check_asked_for(client, "Maria.Lopez1@district.example")
    page = client.get("/stepup/authenticate/").content.decode()
    assert "Confirm it" in page and "maria.lopez1@district.example" in page
    options = client.post("/stepup/authenticate/options/").json()
    assert [c["id"] for c in options["allowCredentials"]] == ["bWluZQ"]


def test_a_check_asked_for_someone_without_a_passkey_says_so(client, verified_member):
    _commit_check_asked_for(client, "nobody@district.example")
    response = client.post("/stepup/authenticate/options/")
    assert response.status_code == 403
    assert (
        "No district passkey is registered for nobody@district.example"
        in (response.json()["error"])
    )


def test_another_persons_passkey_cannot_answer_a_check_asked_for_by_email(client, verified_member):
    _passkey(verified_member, "bWluZQ")
    _commit_check_asked_for(client, "omar@district.example")
    session = client.session
    session[SESSION_CHALLENGE] = "00" * 16
    session.save()
    response = answer(client, "bWluZQ")
    assert response.status_code == 403
    assert "your own passkey" in response.json()["error"]
    assert subjects.SUBJECT_KEY not in client.session
