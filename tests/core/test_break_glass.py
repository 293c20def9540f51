"""The break-glass account: password + TOTP, every use audited and e-mailed to every
district admin; a wrong code, a replayed code or a plain password is refused."""

import pyotp
import pytest
from django.core.management import call_command

from idbridge.audit.models import AuditEntry
from idbridge.core.breakglass import break_glass_create
from idbridge.core.models import BreakGlassAccount, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    password, secret = break_glass_create("break-glass")
    return password, secret


def post(client, password, code, username="break-glass"):
    return client.post(
        "/accounts/break-glass/",
        {"username": username, "password": password, "totp": code, "next": "/audit/"},
    )


def test_break_glass_sign_in_works_is_audited_and_alerts_every_district_admin(
    client, account, district_admin
):
    password, secret = account
    response = post(client, password, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/").status_code == 200
    used = AuditEntry.objects.get(action="dashboard.break_glass_signed_in")
    assert used.actor_label == "break-glass"
    assert not AuditEntry.objects.filter(action="user.signed_in").exists()  # one entry
    alerts = OutboxMessage.objects.filter(subject="Break-glass sign-in to idbridge")
    assert [m.to for m in alerts] == [[district_admin.email]]
    assert password not in alerts[0].body_text


def test_a_wrong_totp_code_is_refused_and_audited(client, account, district_admin):
    password, secret = account
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    response = post(client, password, wrong)
    assert response.status_code == 403
    assert b"do not match" in response.content
    assert client.get("/").status_code == 302
    refused = AuditEntry.objects.get(action="dashboard.break_glass_refused")
    assert refused.details["reason"] == "wrong password or code"
    assert not OutboxMessage.objects.filter(subject="Break-glass sign-in to idbridge").exists()


def test_a_wrong_password_with_a_right_code_is_refused(client, account):
    _, secret = account
    assert post(client, "not-the-password", pyotp.TOTP(secret).now()).status_code == 403


def test_a_code_is_good_once(client, account):
    password, secret = account
    code = pyotp.TOTP(secret).now()
    assert post(client, password, code).status_code == 302
    client.post("/accounts/logout/")
    assert post(client, password, code).status_code == 403


def test_an_ordinary_user_cannot_use_the_break_glass_page(client, district_admin):
    secret = pyotp.random_base32()
    response = post(client, "dana_admin-Passw0rd!", pyotp.TOTP(secret).now(), "dana_admin")
    assert response.status_code == 403


def test_attempts_are_rate_limited(client, account, settings):
    password, _ = account
    for _ in range(10):
        post(client, password, "000000")
    response = post(client, password, "000000")
    assert b"Too many attempts" in response.content


def test_the_command_prints_a_long_password_and_a_totp_secret(capsys, db):
    call_command("break_glass_create", "recovery")
    out = capsys.readouterr().out
    password = out.split("Password: ")[1].split()[0]
    assert len(password) >= 40
    assert "otpauth://totp/" in out
    assert BreakGlassAccount.objects.get(user__username="recovery").totp_secret.reveal() in out
    assert AuditEntry.objects.filter(action="dashboard.break_glass_created").exists()
