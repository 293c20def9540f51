"""Dashboard sign-in with a passkey (ADR 0014): a verified staff member with a dashboard
role gets a dashboard session; one without a role does not. Both are audited."""

import json

import pytest
from django.contrib.auth.models import Group

from idbridge.audit.models import AuditEntry
from idbridge.audit.words import lines_in_words
from idbridge.core.roles import AUDITOR, DISTRICT_ADMIN, HR_OPERATOR
from staff.models import CampusConnection, OnboardingCase
from staff.services.dashboard_roles import dashboard_roles_set
from staff.transitions import State
from tests.staff.conftest import discovered, person
from tests.stepup.authenticator import SoftwarePasskey, passkey_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_passkey():
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = discovered(connection, person())
    OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
    member.refresh_from_db()
    passkey = SoftwarePasskey(member.user_handle)
    passkey_store(passkey, member)
    return member, passkey


def sign_in(client, passkey, next_url="/boi/"):
    options = client.post("/accounts/login/options/").json()
    return client.post(
        "/accounts/login/verify/",
        json.dumps({"credential": passkey.assertion(options), "next": next_url}),
        content_type="application/json",
    )


def test_the_sign_in_page_asks_for_a_passkey_and_no_password(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with your passkey" in html
    assert 'type="password"' not in html
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 405


def test_a_granted_staff_member_signs_in_with_their_passkey(client, member_with_passkey):
    member, passkey = member_with_passkey
    dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    response = sign_in(client, passkey)
    assert response.status_code == 200, response.content
    assert response.json() == {"next": "/boi/"}
    assert client.get("/boi/").status_code == 200
    assert client.get("/stepup/").status_code == 403  # HR operators only see their sections
    entry = AuditEntry.objects.filter(action="dashboard.signed_in").get()
    assert entry.actor_label == f"staff:{member.staff_number}"
    assert entry.target == f"staff.staffmember:{member.pk}"


def test_a_passkey_sign_in_is_one_audit_entry_in_words(client, member_with_passkey):
    member, passkey = member_with_passkey
    dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    before = AuditEntry.objects.count()
    assert sign_in(client, passkey).status_code == 200
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True)[before:])
    # the check itself, then the sign-in: no second, generic "user.signed_in"
    assert actions == ["stepup.check_succeeded", "dashboard.signed_in"]
    (line,) = lines_in_words(AuditEntry.objects.filter(action="dashboard.signed_in"))
    assert line.sentence == (
        f"HR operator {member.display_name} signed in to the dashboard with the passkey of "
        f"{member.display_name} (staff {member.staff_number})"
    )


def test_a_verified_staff_member_without_a_role_cannot_get_in(client, member_with_passkey):
    member, passkey = member_with_passkey
    response = sign_in(client, passkey)
    assert response.status_code == 403
    assert "no dashboard role" in response.json()["error"]
    assert client.get("/").status_code == 302
    refused = AuditEntry.objects.filter(action="dashboard.sign_in_refused").get()
    assert refused.details == {"reason": "no dashboard role"}


def test_removing_every_role_ends_the_way_in(client, member_with_passkey):
    member, passkey = member_with_passkey
    dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    dashboard_roles_set(member, [], actor="test")
    assert sign_in(client, passkey).status_code == 403


def test_a_password_never_signs_a_dashboard_user_in(client, member_with_passkey, district_admin):
    member, _ = member_with_passkey
    dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    assert not member.dashboard_user.has_usable_password()
    # Django's admin login form: the only backend refuses password-only sign-in.
    response = client.post(
        "/admin/login/", {"username": "dana_admin", "password": "dana_admin-Passw0rd!"}
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert client.get("/").status_code == 302
    assert Group.objects.get(name=HR_OPERATOR) in member.dashboard_user.groups.all()


@pytest.fixture
def admin_and_colleague(member_with_passkey):
    admin, passkey = member_with_passkey
    dashboard_roles_set(admin, [DISTRICT_ADMIN], actor="test")
    colleague = discovered(admin.connection, person(2))
    OnboardingCase.objects.filter(staff_member=colleague).update(state=State.VERIFIED)
    return admin, passkey, colleague


def test_an_admin_signed_in_with_a_passkey_grants_a_role(client, admin_and_colleague):
    admin, passkey, colleague = admin_and_colleague
    assert sign_in(client, passkey).status_code == 200
    page = client.get("/staff/dashboard-access/", {"q": colleague.last_name}).content.decode()
    assert colleague.display_name in page and 'value="HR operator"' in page
    response = client.post(f"/staff/dashboard-access/{colleague.id}/", {"roles": [HR_OPERATOR]})
    assert response["Location"] == "/staff/dashboard-access/"  # the sign-in check is fresh
    assert "HR operator" in client.get("/staff/dashboard-access/").content.decode()
    entry = AuditEntry.objects.filter(action="dashboard.roles_changed").order_by("id").last()
    assert entry.actor_label == f"staff:{admin.staff_number}"
    assert entry.target == f"staff.staffmember:{colleague.pk}"


def test_a_role_change_after_a_stale_check_asks_for_a_fresh_one(
    client, admin_and_colleague, settings
):
    admin, passkey, colleague = admin_and_colleague
    assert sign_in(client, passkey).status_code == 200
    settings.STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS = 0  # the sign-in's check no longer counts
    response = client.post(f"/staff/dashboard-access/{colleague.id}/", {"roles": [AUDITOR]})
    assert response["Location"].startswith("/stepup/authenticate/?next=")
    colleague.refresh_from_db()
    assert colleague.dashboard_user is None  # nothing changed before the check
    options = client.post("/stepup/authenticate/options/").json()
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]
    verified = client.post(
        "/stepup/authenticate/verify/",
        json.dumps({"credential": passkey.assertion(options), "next": "/staff/dashboard-access/"}),
        content_type="application/json",
    )
    assert verified.status_code == 200
    settings.STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS = 300
    page = client.get("/staff/dashboard-access/", {"q": colleague.staff_number}).content.decode()
    assert 'value="Auditor" checked' in page  # the ticked roles waited for the check
    client.post(f"/staff/dashboard-access/{colleague.id}/", {"roles": [AUDITOR]})
    colleague.refresh_from_db()
    assert [g.name for g in colleague.dashboard_user.groups.all()] == [AUDITOR]


def test_a_break_glass_session_grants_with_a_fresh_code_not_a_passkey(client, member_with_passkey):
    import pyotp

    from idbridge.core.breakglass import break_glass_create
    from idbridge.core.models import BreakGlassAccount

    member, _ = member_with_passkey
    password, secret = break_glass_create("break-glass")
    client.post(
        "/accounts/break-glass/",
        {"username": "break-glass", "password": password, "totp": pyotp.TOTP(secret).now()},
    )
    grant = f"/staff/dashboard-access/{member.id}/"
    response = client.post(grant, {"roles": [DISTRICT_ADMIN]})
    assert response["Location"].startswith("/break-glass/confirm/?act=role-change")
    member.refresh_from_db()
    assert member.dashboard_user is None or not member.dashboard_user.groups.exists()
    BreakGlassAccount.objects.update(last_step=0)  # as if the next 30-second step had come
    client.post(response["Location"], {"totp": pyotp.TOTP(secret).now()})
    response = client.post(grant, {"roles": [DISTRICT_ADMIN]})
    assert response["Location"] == "/staff/dashboard-access/"
    member.refresh_from_db()
    assert member.dashboard_user.groups.filter(name=DISTRICT_ADMIN).exists()


def test_a_passkey_sign_in_is_the_operators_check_for_a_commit(client, member_with_passkey):
    """The HR operator's commit path: signed in with their passkey, the BOI commit gate
    finds their own fresh check (no e-mail has to match anything by luck)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from stepup.gates import boi_commit_policy, fresh_check_decision

    member, passkey = member_with_passkey
    dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    assert sign_in(client, passkey).status_code == 200
    request = RequestFactory().get("/boi/")
    request.session = SessionStore(session_key=client.session.session_key)
    operator = get_user_model().objects.get(staff_member=member)
    decision = fresh_check_decision(request, boi_commit_policy(), email=operator.email)
    assert decision.allowed, decision.reason


def test_the_roles_page_speaks_of_a_code_to_the_break_glass_account(client, member_with_passkey):
    import pyotp

    from idbridge.core.breakglass import break_glass_create
    from idbridge.core.models import BreakGlassAccount

    member, _ = member_with_passkey
    password, secret = break_glass_create("break-glass")
    client.post(
        "/accounts/break-glass/",
        {"username": "break-glass", "password": password, "totp": pyotp.TOTP(secret).now()},
    )
    page = client.get("/staff/dashboard-access/").content.decode()
    assert "fresh code from the break-glass account's authenticator app" in page
    assert "with your passkey" not in page
    response = client.post(f"/staff/dashboard-access/{member.id}/", {"roles": [DISTRICT_ADMIN]})
    BreakGlassAccount.objects.update(last_step=0)  # as if the next 30-second step had come
    client.post(response["Location"], {"totp": pyotp.TOTP(secret).now()})
    page = client.get("/staff/dashboard-access/", {"q": member.last_name}).content.decode()
    assert "Break-glass code accepted: the roles you ticked are shown below" in page
    assert "Passkey check done" not in page
