"""Refused requests and dashboard sign-ins are in the audit log, and a flood of them is
not."""

import pytest
from django.test import Client

from idbridge.audit.models import AuditEntry
from tests.ratelimits import one_window  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _refusals():
    return AuditEntry.objects.filter(action="user.refused")


def test_a_page_the_role_does_not_allow_is_refused_and_audited(login, hr_operator):
    assert login(hr_operator).get("/audit/").status_code == 403
    entry = _refusals().get()
    assert entry.actor_id == hr_operator.id
    assert entry.target == "/audit/"
    assert entry.details["method"] == "GET" and entry.details["status"] == 403


def test_a_page_the_role_allows_is_not_audited_as_refused(login, auditor):
    assert login(auditor).get("/audit/").status_code == 200
    assert not _refusals().exists()


def test_a_write_without_its_csrf_token_is_refused_and_audited(auditor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    assert client.post("/audit/check/").status_code == 403
    assert _refusals().get().details["method"] == "POST"
    assert not AuditEntry.objects.filter(action="audit.verified").exists()


def test_a_failed_password_sign_in_is_audited_without_the_password(client, hr_operator):
    # The one password sign-in left is the break-glass page's (password + TOTP code).
    response = client.post(
        "/accounts/break-glass/",
        {"username": "omar_hr", "password": "wrong-Passw0rd!", "totp": "123456"},
    )
    assert response.status_code == 403  # refused, in words
    entry = AuditEntry.objects.get(action="user.sign_in_failed")
    assert entry.details["username"] == "omar_hr"
    assert "wrong-Passw0rd!" not in str(entry.details)


def test_a_sign_in_is_audited_by_name(client, hr_operator):
    client.force_login(hr_operator)  # login(), as the passkey and break-glass sign-ins call it
    entry = AuditEntry.objects.get(action="user.signed_in")
    assert entry.actor_id == hr_operator.id


@pytest.mark.usefixtures("one_window")
def test_a_flood_of_refusals_adds_only_the_budget_to_the_log(login, hr_operator, settings):
    settings.AUDIT_REFUSALS_PER_ADDRESS_PER_MINUTE = 3
    client = login(hr_operator)
    for _ in range(10):
        assert client.get("/audit/").status_code == 403
    for _ in range(5):
        client.post("/accounts/break-glass/", {"username": "x", "password": "y", "totp": "1"})
    assert _refusals().count() == 3
    assert not AuditEntry.objects.filter(action="user.sign_in_failed").exists()
