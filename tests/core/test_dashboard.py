import time

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from idbridge.core.roles import AUDITOR, DISTRICT_ADMIN, HR_OPERATOR, ROLE_PERMISSIONS

SECTION_PAGES = {
    "/staff/": "view_onboarding",
    "/stepup/": "view_stepup",
    "/boi/": "view_boi",
    "/audit/": "view_audit",
    "/outbox/": "view_outbox",
    "/sandbox/": "view_sandbox",
}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ["/", *SECTION_PAGES]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_signed_in_the_home_page_shows_the_sections(client, district_admin):
    client.force_login(district_admin)
    home = client.get("/")
    assert b"District identity bridge" in home.content
    for label in (b"Onboarding", b"Step-up", b"Business Office", b"Audit", b"Campus sandbox"):
        assert label in home.content


def test_the_header_names_the_signed_in_person_not_their_account_label(client, hr_operator):
    """Staff dashboard accounts are named ``staff:<number>`` (as the IdP names them in the
    audit log); the header shows the person's name, and the account name only without one."""
    hr_operator.username, hr_operator.first_name, hr_operator.last_name = "staff:900301", "", ""
    hr_operator.save()
    client.force_login(hr_operator)
    assert '<span class="who">staff:900301</span>' in client.get("/").content.decode()
    hr_operator.first_name, hr_operator.last_name = "Mohamed", "Mendoza"
    hr_operator.save()
    assert '<span class="who">Mohamed Mendoza</span>' in client.get("/").content.decode()


def test_a_password_alone_signs_nobody_in(client, district_admin):
    """Password sign-in is gone (ADR 0014): the sign-in page takes a passkey only, and
    the one authentication backend refuses a password without a break-glass TOTP code."""
    credentials = {"username": "dana_admin", "password": "dana_admin-Passw0rd!"}
    assert client.post("/accounts/login/", credentials).status_code == 405
    assert client.post("/admin/login/", credentials).status_code == 200
    assert (
        client.post("/accounts/break-glass/", {**credentials, "totp": "123456"}).status_code == 403
    )
    assert client.get("/").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client, district_admin):
    client.force_login(district_admin)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_roles_hold_exactly_their_permissions(db):
    for role, codenames in ROLE_PERMISSIONS.items():
        perms = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert perms == codenames


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("district_admin", set(SECTION_PAGES)),
        ("hr_operator", {"/staff/", "/boi/"}),
        ("auditor", set(SECTION_PAGES) - {"/outbox/"}),  # the outbox: district admins only
        ("outsider", set()),
    ],
)
def test_each_role_sees_exactly_its_sections(request, client, persona, allowed):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for path in SECTION_PAGES:
        expected = 200 if path in allowed else 403
        assert client.get(path).status_code == expected, (persona, path)
    home = client.get("/").content.decode()
    for path in SECTION_PAGES:
        assert (f'href="{path}"' in home) == (path in allowed), (persona, path)


def test_auditor_role_can_change_nothing(db):
    assert all(c.startswith("view_") for c in ROLE_PERMISSIONS[AUDITOR])
    assert {c for c in ROLE_PERMISSIONS[HR_OPERATOR] if c.startswith("manage_")} == {
        "manage_onboarding",
        "manage_boi",
    }
    assert ROLE_PERMISSIONS[DISTRICT_ADMIN] >= ROLE_PERMISSIONS[AUDITOR]


def test_pages_carry_security_headers(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    assert len(response["X-Request-ID"]) >= 8


def test_forms_are_protected_by_csrf(district_admin):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/break-glass/",
        {"username": "dana_admin", "password": "dana_admin-Passw0rd!", "totp": "123456"},
    )
    assert response.status_code == 403


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=60)
def test_an_idle_session_is_signed_out(client, district_admin, monkeypatch):
    client.force_login(district_admin)
    assert client.get("/").status_code == 200
    later = time.time() + 61 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 302
    assert "idle=1" in response["Location"]
    assert client.get("/staff/").status_code == 302


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=60)
def test_a_pages_background_refreshes_do_not_keep_an_idle_session_signed_in(
    client, district_admin, monkeypatch
):
    # The home page refreshes its status every 15 s: a dashboard left open on a screen
    # must still sign out after the idle time, and its refresh then answers 401 (the page
    # reloads to the sign-in page).
    client.force_login(district_admin)
    start = time.time()
    assert client.get("/").status_code == 200
    refresh = {"HTTP_X_BACKGROUND_REFRESH": "1"}
    for seconds in (20, 40, 58):
        monkeypatch.setattr(time, "time", lambda s=seconds: start + s)
        assert client.get("/status.json", **refresh).status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 62)
    assert client.get("/status.json", **refresh).status_code == 401
    assert client.get("/").status_code == 302  # signed out


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=60)
def test_a_request_of_the_person_keeps_the_session_signed_in(client, district_admin, monkeypatch):
    client.force_login(district_admin)
    start = time.time()
    assert client.get("/").status_code == 200
    for seconds in (60, 120, 180):  # (the last request is noted at most once a minute)
        monkeypatch.setattr(time, "time", lambda s=seconds: start + s)
        assert client.get("/").status_code == 200


def test_break_glass_form_fields_are_labelled(client):
    html = client.get("/accounts/break-glass/").content.decode()
    assert '<label for="id_totp">' in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="#main"' in html


def test_static_assets_are_served_locally(client):
    response = client.get("/static/idbridge/app.css")
    assert response.status_code == 200
    html = client.get("/accounts/login/").content.decode()
    assert "http://" not in html.split("<body>")[0].replace("http://localhost", "")
    assert "https://" not in html.split("<body>")[0]


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_fails_when_the_broker_is_unreachable(client, db):
    from idbridge.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_error_pages_show_no_stack_trace(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content
