"""A verified staff member's own passkeys: who may see, add, rename and remove them.

The person is known by their IdP session (a passkey sign-in), never by a dashboard login;
adding or removing needs a recent passkey check. The WebAuthn ceremony itself runs in
Chromium in tests/browser/test_own_passkeys.py.
"""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase, Passkey
from staff.services.cases import OnboardingError, case_revoke
from staff.services.passkeys import NewPasskey, passkey_add, passkey_disable_own, passkey_rename
from staff.transitions import State
from stepup.ceremonies.signin import subject_from_member
from stepup.policy import PASSKEY
from stepup.subjects import EVENTS_KEY, SUBJECT_KEY
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db

PAGE = "/staff/me/passkeys/"


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def new_passkey(n):
    return NewPasskey(
        credential_id=b64(f"cred-{n}"),
        public_key=b"pk",
        sign_count=0,
        aaguid="00000000-0000",
        is_backed_up=False,
        transports=["internal"],
    )


def verified(connection, n=1):
    member = discovered(connection, person(n))
    OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
    Passkey.objects.create(
        staff_member=member,
        name="Phone",
        credential_id=b64(f"phone-{n}"),
        public_key=b"pk",
    )
    member.refresh_from_db()
    return member


@pytest.fixture
def maria(connection):
    return verified(connection)


def signed_in(client, member, *, checked_ago=timedelta(seconds=30), user_verified=True):
    session = client.session
    session[SUBJECT_KEY] = subject_from_member(member).to_session()
    session[EVENTS_KEY] = [
        {
            "method": PASSKEY,
            "at": (timezone.now() - checked_ago).isoformat(),
            "user_verified": user_verified,
        }
    ]
    session.save()
    return client


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_without_an_idp_session_the_page_asks_for_a_passkey_sign_in(client, maria):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/stepup/authenticate/?next=%2Fstaff%2Fme%2Fpasskeys%2F"
    assert post_json(client, "/staff/me/passkeys/options/").status_code == 401


def test_a_dashboard_login_is_not_a_staff_members_identity(client, login, district_admin, maria):
    login(district_admin)
    assert client.get(PAGE).status_code == 302
    assert post_json(client, "/staff/me/passkeys/options/").status_code == 401


def test_the_signed_in_person_sees_only_their_own_passkeys(client, connection, maria):
    other = verified(connection, n=2)
    Passkey.objects.filter(staff_member=other).update(name="Someone else's key")
    response = signed_in(client, maria).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phone" in page and "Someone else" not in page
    assert 'id="create-passkey"' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_registration_options_exclude_the_persons_passkeys_and_require_verification(client, maria):
    options = post_json(signed_in(client, maria), "/staff/me/passkeys/options/").json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert [c["id"] for c in options["excludeCredentials"]] == [b64("phone-1")]


def test_a_stale_check_must_be_renewed_before_adding_a_passkey(client, maria, settings):
    settings.STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS = 300
    signed_in(client, maria, checked_ago=timedelta(minutes=6))
    page = client.get(PAGE).content.decode()
    assert 'id="create-passkey"' not in page and "Confirm it's you" in page
    response = post_json(client, "/staff/me/passkeys/options/")
    assert response.status_code == 403
    assert "Confirm it's you" in response.json()["error"]

    response = client.post("/staff/me/passkeys/confirm/")
    assert response["Location"] == "/stepup/authenticate/?next=%2Fstaff%2Fme%2Fpasskeys%2F"
    assert client.session["stepup.challenge"]["mode"] == "step-up"
    assert "Confirm it" in client.get(response["Location"]).content.decode()


def test_a_check_without_user_verification_does_not_count(client, maria):
    signed_in(client, maria, user_verified=False)
    assert post_json(client, "/staff/me/passkeys/options/").status_code == 403


def test_an_answer_without_a_challenge_or_unreadable_is_refused(client, maria):
    signed_in(client, maria)
    response = post_json(client, "/staff/me/passkeys/verify/", {"credential": {}})
    assert response.status_code == 400 and "expired" in response.json()["error"]
    post_json(client, "/staff/me/passkeys/options/")
    response = client.post(
        "/staff/me/passkeys/verify/", "not json", content_type="application/json"
    )
    assert response.status_code == 400 and "unreadable" in response.json()["error"]
    assert maria.passkeys.count() == 1


def test_adding_a_passkey_tells_the_person_by_email_and_is_audited(
    maria, django_capture_on_commit_callbacks
):
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        passkey = passkey_add(member=maria, new=new_passkey(2), name="  Laptop ")
    assert passkey.name == "Laptop"
    assert maria.passkeys.filter(disabled_at__isnull=True).count() == 2
    mail = OutboxMessage.objects.get()
    assert mail.to == [maria.work_email]
    assert mail.subject == "A passkey was added to your district sign-in"
    assert "Laptop" in mail.body_text and "Laptop" in mail.body_html
    entry = AuditEntry.objects.get(action="staff.passkey.registered")
    assert entry.details["additional"] is True
    assert maria.case.events.filter(reason__contains="Laptop").exists()


def test_only_verified_staff_can_add_a_passkey(maria):
    OnboardingCase.objects.filter(staff_member=maria).update(state=State.REVOKED)
    with pytest.raises(OnboardingError):
        passkey_add(member=maria, new=new_passkey(2), name="Laptop")
    assert maria.passkeys.count() == 1


def test_a_credential_registered_before_is_refused(maria):
    again = NewPasskey(
        credential_id=b64("phone-1"),
        public_key=b"pk",
        sign_count=0,
        aaguid="",
        is_backed_up=False,
        transports=[],
    )
    with pytest.raises(OnboardingError, match="already registered"):
        passkey_add(member=maria, new=again, name="Again")


def test_the_only_passkey_cannot_be_removed(client, maria):
    phone = maria.passkeys.get()
    response = signed_in(client, maria).post(f"/staff/me/passkeys/{phone.id}/disable/")
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.is_active
    assert "only passkey" in client.get(PAGE).content.decode()


def test_removing_a_second_passkey_needs_a_fresh_check_and_is_told(
    client, maria, settings, django_capture_on_commit_callbacks
):
    passkey_add(member=maria, new=new_passkey(2), name="Laptop")
    phone = maria.passkeys.get(name="Phone")
    settings.STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS = 60
    signed_in(client, maria, checked_ago=timedelta(minutes=2))
    client.post(f"/staff/me/passkeys/{phone.id}/disable/")
    phone.refresh_from_db()
    assert phone.is_active

    OutboxMessage.objects.all().delete()
    signed_in(client, maria)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/me/passkeys/{phone.id}/disable/")
    phone.refresh_from_db()
    assert not phone.is_active and phone.disabled_reason == "removed by its owner"
    assert OutboxMessage.objects.get().subject == (
        "A passkey was removed from your district sign-in"
    )
    assert AuditEntry.objects.filter(action="staff.passkey.disabled").count() == 1


def test_nobody_renames_or_removes_another_persons_passkey(client, connection, maria):
    other = verified(connection, n=2)
    passkey_add(member=other, new=new_passkey(3), name="Their laptop")
    theirs = other.passkeys.get(name="Phone")
    signed_in(client, maria)
    client.post(f"/staff/me/passkeys/{theirs.id}/rename/", {"name": "Mine now"})
    client.post(f"/staff/me/passkeys/{theirs.id}/disable/")
    theirs.refresh_from_db()
    assert theirs.name == "Phone" and theirs.is_active


def test_a_passkey_is_renamed_and_an_empty_name_is_refused(client, maria):
    phone = maria.passkeys.get()
    signed_in(client, maria)
    client.post(f"/staff/me/passkeys/{phone.id}/rename/", {"name": "  "})
    phone.refresh_from_db()
    assert phone.name == "Phone"
    client.post(f"/staff/me/passkeys/{phone.id}/rename/", {"name": "Work phone"})
    phone.refresh_from_db()
    assert phone.name == "Work phone"
    assert AuditEntry.objects.filter(action="staff.passkey.renamed").count() == 1


def test_revoked_staff_are_sent_back_to_sign_in(client, maria):
    signed_in(client, maria)
    case_revoke(case=maria.case, actor="tests", reason="left the district")
    assert client.get(PAGE).status_code == 302
    assert post_json(client, "/staff/me/passkeys/options/").status_code == 401


def test_signing_out_ends_the_idp_session(client, maria):
    signed_in(client, maria)
    response = client.post("/staff/me/sign-out/")
    assert "Signed out" in response.content.decode()
    assert SUBJECT_KEY not in client.session
    assert client.get(PAGE).status_code == 302


@pytest.mark.integration
def test_passkey_changes_take_their_row_locks_on_postgresql(maria):
    """The unit suite runs on SQLite, which ignores SELECT ... FOR UPDATE; PostgreSQL
    refuses a lock on the nullable side of an outer join, so run the services there."""
    passkey_add(member=maria, new=new_passkey(2), name="Laptop")
    phone = maria.passkeys.get(name="Phone")
    passkey_rename(member=maria, passkey_id=phone.id, name="Old phone")
    passkey_disable_own(member=maria, passkey_id=phone.id)
    assert list(maria.passkeys.filter(disabled_at__isnull=True).values_list("name", flat=True)) == [
        "Laptop"
    ]
