"""Fault switches and request counters: from Python, from the command line, over HTTP."""

import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from idbridge.audit.models import AuditEntry
from sandbox import faults
from sandbox.models import SoapSession


@pytest.mark.parametrize(
    "share,expected",
    [
        (0.0, [False] * 6),
        (1.0, [True] * 6),
        (0.5, [False, True, False, True, False, True]),
        (1 / 3, [False, False, True, False, False, True]),
        (0.25, [False, False, False, True, False, False]),
    ],
)
def test_a_share_fails_requests_deterministically(share, expected):
    assert [faults._fires(n, share) for n in range(1, 7)] == expected


def test_everything_is_off_by_default(db):
    faults.counter_increment("soap.GetPerson")
    assert faults.intercept("soap.GetPerson") is None
    assert faults.faults_as_dict()["error_share"] == 0


def test_intercept_counts_and_fails_only_matching_endpoints(db):
    faults.faults_set(actor="tests", error_share=1.0, error_status=500, endpoints="oneroster.users")
    assert faults.intercept("oneroster.users") == faults.Injected("error", 500)
    assert faults.intercept("oneroster.user") is None
    assert faults.intercept("soap.GetPerson") is None
    counts = faults.counters_get()
    assert (counts["oneroster.users"], counts["oneroster.user"], counts["soap.GetPerson"]) == (
        1,
        1,
        1,
    )
    faults.counters_reset()
    assert set(faults.counters_get().values()) == {0}


def test_rate_limits_carry_the_retry_after(db):
    faults.faults_set(actor="tests", rate_limit_share=1.0, retry_after_seconds=9)
    assert faults.intercept("oauth.token") == faults.Injected("rate_limit", 429, 9)


@pytest.mark.parametrize(
    "changes",
    [
        {"error_share": 1.5},
        {"error_status": 418},
        {"latency_ms": -1},
        {"timeout_seconds": 1000},
        {"session_seconds": 0},
        {"colour": "red"},
        {"latency_ms": "soon"},
    ],
)
def test_bad_switch_values_are_refused(db, changes):
    with pytest.raises(faults.FaultSettingError):
        faults.faults_set(actor="tests", **changes)


def test_switching_faults_is_audited(db):
    faults.faults_set(actor="tests", latency_ms=5)
    faults.faults_clear(actor="tests")
    assert AuditEntry.objects.filter(action="campus.faults_set").count() == 2
    assert faults.faults_get().latency_ms == 0


def test_the_command_switches_faults_and_prints_counters(db, capsys):
    call_command(
        "campus_faults", "--set", "error_share=0.5", "--set", "endpoints=soap", "--counters"
    )
    output = json.loads(capsys.readouterr().out)
    assert output["faults"]["error_share"] == 0.5 and output["faults"]["endpoints"] == "soap"
    assert output["counters"]["soap.GetPerson"] == 0
    call_command("campus_faults", "--clear")
    assert faults.faults_get().error_share == 0


# --- HTTP control ---------------------------------------------------------------------------

TOKEN = "bench-control-token-123"


@override_settings(CAMPUS_SANDBOX_CONTROL_TOKEN=TOKEN)
def test_a_benchmark_with_the_control_token_switches_faults_and_reads_counters(db, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    faults.counter_increment("soap.Authenticate")
    response = client.get("/sandbox/campus/_counters", **auth)
    assert response.json()["counters"]["soap.Authenticate"] == 1
    response = client.post(
        "/sandbox/campus/_faults",
        data=json.dumps({"latency_ms": 20, "endpoints": "soap"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    assert response.json()["faults"]["latency_ms"] == 20
    assert AuditEntry.objects.get(action="campus.faults_set").actor_label == "campus:control-token"
    response = client.post(
        "/sandbox/campus/_faults",
        data=json.dumps({"clear": True}),
        content_type="application/json",
        **auth,
    )
    assert response.json()["faults"]["latency_ms"] == 0
    assert (
        client.post("/sandbox/campus/_counters/reset", **auth).json()["counters"][
            "soap.Authenticate"
        ]
        == 0
    )
    assert client.get("/sandbox/campus/_faults", **auth).status_code == 200


@override_settings(CAMPUS_SANDBOX_CONTROL_TOKEN=TOKEN)
def test_a_wrong_control_token_is_refused(db, client):
    auth = {"HTTP_AUTHORIZATION": "Bearer guess"}
    assert client.get("/sandbox/campus/_counters", **auth).status_code == 401
    assert (
        client.post(
            "/sandbox/campus/_faults", data="{}", content_type="application/json", **auth
        ).status_code
        == 401
    )


def test_without_a_configured_token_a_bearer_header_does_not_help(db, client):
    auth = {"HTTP_AUTHORIZATION": "Bearer "}
    assert client.get("/sandbox/campus/_counters", **auth).status_code == 401


def test_anonymous_callers_are_refused(db, client):
    assert client.get("/sandbox/campus/_counters").status_code == 401
    assert client.post("/sandbox/campus/_counters/reset").status_code == 401
    assert (
        client.post(
            "/sandbox/campus/_faults", data="{}", content_type="application/json"
        ).status_code
        == 401
    )


def test_an_auditor_may_read_but_not_change(client, auditor):
    client.force_login(auditor)
    assert client.get("/sandbox/campus/_counters").status_code == 200
    assert client.get("/sandbox/campus/_faults").status_code == 200
    assert (
        client.post(
            "/sandbox/campus/_faults", data="{}", content_type="application/json"
        ).status_code
        == 403
    )


def test_hr_operators_may_not_even_read(client, hr_operator):
    client.force_login(hr_operator)
    assert client.get("/sandbox/campus/_counters").status_code == 403


def test_a_signed_in_manager_needs_a_csrf_token_to_change(district_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(district_admin)
    body = json.dumps({"expire_sessions": True})
    assert (
        browser.post(
            "/sandbox/campus/_faults", data=body, content_type="application/json"
        ).status_code
        == 403
    )
    browser.get("/sandbox/faults/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/sandbox/campus/_faults",
        data=body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        action="campus.sessions_expired", actor=district_admin
    ).exists()


@override_settings(CAMPUS_SANDBOX_CONTROL_TOKEN=TOKEN)
def test_bad_json_or_values_get_a_400(db, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    for body in ("not json", "[1, 2]", json.dumps({"error_share": 7})):
        response = client.post(
            "/sandbox/campus/_faults", data=body, content_type="application/json", **auth
        )
        assert response.status_code == 400, body


def test_expiring_sessions_now_ends_soap_sessions(db, make_api_client):
    from django.utils import timezone

    from sandbox.models import ApiClient

    make_api_client(name="X")
    SoapSession.objects.create(
        key_hash="a" * 64,
        client=ApiClient.objects.get(name="X"),
        expires_at=timezone.now() + timezone.timedelta(minutes=30),
    )
    assert faults.sessions_expire_now(actor="tests") == 1
    assert SoapSession.objects.get().expires_at <= timezone.now()
