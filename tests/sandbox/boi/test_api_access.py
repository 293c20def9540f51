"""The BOI API's gate: a real OAuth2 token with the BOI scope on every call; JSON errors;
every failed call in the Business Office Error Log with SSNs masked; the mapping lists."""

import json

import pytest

from sandbox.models import BoiErrorLogEntry, Gender, School
from sandbox.services.clients import api_client_rotate_secret

from .conftest import BASE, BoiApi, errors

pytestmark = pytest.mark.django_db


def test_a_call_without_a_bearer_token_is_refused_with_a_json_error(boi_api, district):
    response = boi_api.get("schools", token="")
    assert response.status_code == 401
    assert errors(response) == [("Authorization", "unauthorized")]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_invalid_or_revoked_token_is_refused(boi_api, district):
    assert boi_api.get("genders", token="not-a-token").status_code == 401
    token = boi_api.token
    assert boi_api.get("genders").status_code == 200
    from sandbox.models import ApiClient

    api_client_rotate_secret(client=ApiClient.objects.get(name="HR system"), actor="tests")
    response = boi_api.get("genders", token=token)
    assert response.status_code == 401
    assert errors(response) == [("Authorization", "invalid_token")]


def test_an_expired_token_or_a_deactivated_client_is_refused(boi_api, district):
    from sandbox import faults
    from sandbox.models import ApiClient

    assert boi_api.get("genders").status_code == 200
    faults.sessions_expire_now(actor="tests")
    response = boi_api.get("genders")
    assert response.status_code == 401
    assert errors(response) == [("Authorization", "invalid_token")]
    boi_api._token = None
    assert boi_api.get("genders").status_code == 200
    ApiClient.objects.filter(name="HR system").update(is_active=False)
    response = boi_api.get("genders")
    assert response.status_code == 401
    assert errors(response) == [("Authorization", "invalid_token")]


def test_a_client_without_the_boi_scope_is_forbidden(client, make_api_client, district):
    roster_only = BoiApi(client, make_api_client(name="Roster", scopes="roster-core.readonly"))
    response = roster_only.get("schools")
    assert response.status_code == 403
    assert errors(response) == [("Authorization", "insufficient_scope")]


def test_campus_client_create_gives_clients_the_boi_scope(boi_api, district):
    scope = boi_api.token_response().json()["scope"].split()
    assert "boi.readwrite" in scope


def test_the_mapping_lists_are_campus_lists(boi_api, district):
    schools = boi_api.get("schools").json()["schools"]
    assert {s["schoolNumber"] for s in schools} == set(
        School.objects.values_list("number", flat=True)
    )
    genders = boi_api.get("genders").json()["genders"]
    assert {g["code"] for g in genders} == set(Gender.objects.values_list("code", flat=True))
    codes = boi_api.get("assignmentCodes").json()["assignmentCodes"]
    assert any(c["code"] == "20" for c in codes)
    titles = boi_api.get("titleCodes").json()["titleCodes"]
    assert titles and all(set(t) == {"code", "description"} for t in titles)


def test_a_wrong_method_and_an_unknown_path_get_json_errors(boi_api, district):
    response = boi_api.post("schools")
    assert response.status_code == 405
    assert errors(response) == [("", "method_not_allowed")]
    response = boi_api.get("staffs")
    assert response.status_code == 404
    assert errors(response) == [("", "not_found")]


def test_a_body_that_is_not_json_is_refused(boi_api, district):
    response = boi_api.post("staff", raw="{not json")
    assert response.status_code == 400
    assert errors(response) == [("", "invalid")]


def test_every_failed_call_lands_in_the_error_log_with_the_ssn_masked(
    boi_api, district, staff_payload
):
    bad = staff_payload(gender="Q", ssn="912-34-5678")
    response = boi_api.post("staff", bad)
    assert response.status_code == 400
    boi_api.get("schools", token="")
    entries = list(BoiErrorLogEntry.objects.order_by("id"))
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("POST", f"{BASE}/staff", 400),
        ("GET", f"{BASE}/schools", 401),
    ]
    logged = entries[0]
    assert "gender 'Q' is not a Campus gender" in logged.message
    assert "912-34-5678" not in logged.payload and "912345678" not in logged.payload
    assert json.loads(logged.payload)["ssn"] == "***-**-5678"
    assert logged.client_name == "HR system"


def test_ssns_are_masked_in_logged_transfer_batches_and_in_free_text(
    boi_api, district, staff_payload
):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    batch = [staff_payload("900001", ssn="912345678"), staff_payload("900002", gender="Q")]
    assert boi_api.post(f"sync/{sync_id}/transfer", batch).status_code == 400
    boi_api.post("staff", raw="ssn=912-34-5678&x=1")
    payloads = "".join(BoiErrorLogEntry.objects.values_list("payload", flat=True))
    assert "912345678" not in payloads and "912-34-5678" not in payloads
    assert payloads.count("***-**-5678") == 3


def test_the_openapi_description_is_served_and_names_every_endpoint(client, db):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "schools",
        "genders",
        "assignmentCodes",
        "titleCodes",
        "staff",
        "staff/{staffNumber}",
        "staff/{staffNumber}/positions",
        "addresses",
        "sync/start",
        "sync/{syncID}/transfer",
        "sync/{syncID}/endTransfer",
        "sync/{syncID}/validate",
        "sync/{syncID}/commit",
        "sync/{syncID}/submitCommitJob",
        "sync/jobs/latest",
    ):
        assert f"{BASE}/{path}" in paths, path
    schemes = response.json()["components"]["securitySchemes"]["oauth2"]["flows"]
    assert "boi.readwrite" in schemes["clientCredentials"]["scopes"]


def test_the_demo_client_gets_the_boi_scope_even_if_it_predates_the_boi_api(db, settings, tmp_path):
    from sandbox.demo import DEMO_CLIENT_NAME, demo_client_ensure
    from sandbox.services.clients import api_client_create

    settings.VAR_DIR = tmp_path
    api_client_create(
        name=DEMO_CLIENT_NAME,
        actor="tests",
        scopes="roster-core.readonly roster-demographics.readonly",
    )
    credentials = demo_client_ensure()
    from sandbox.models import ApiClient

    assert "boi.readwrite" in ApiClient.objects.get(name=DEMO_CLIENT_NAME).scope_list
    assert credentials["client_secret"]


def test_a_body_over_the_upload_limit_is_refused_and_logged(boi_api, district, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    sync_id = boi_api.post("sync/start").json()["syncID"]
    response = boi_api.post(f"sync/{sync_id}/transfer", {"staff": [{"x": "y" * 2000}]})
    assert response.status_code == 413
    assert errors(response) == [("", "too_large")]
    entry = BoiErrorLogEntry.objects.get(status=413)
    assert "larger than the limit" in entry.payload
