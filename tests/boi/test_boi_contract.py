"""The BOI contract: ``tests/boi/fakeboi.py`` answers like the Campus sandbox's BOI API.

The console's unit tests run against the in-process fake; the sandbox (``sandbox/boi``) is
the reference. Every test here sends the same requests to both — ``api`` is parametrized
— and asserts the same answers: status codes, the keys of every body, the ``{"errors":
[{"field", "code", "message"}]}`` refusals, the sync's order of steps and the commit job's
states. A change to either that the other does not follow fails here.

The sandbox is reached through Django's test client (its real views, middleware and
OAuth2 token endpoint, as ``tests/sandbox/boi`` does), with a small seeded district.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.boi.fakeboi import FakeBoi

pytestmark = pytest.mark.django_db

SANDBOX_API = "/sandbox/campus/api/boi/v1/"
OWN = object()  # call with the driver's own token
STAFF_KEYS = {
    "personID",
    "staffNumber",
    "lastName",
    "firstName",
    "middleName",
    "gender",
    "ssn",
    "birthDate",
    "workPhone",
    "cellPhone",
    "otherPhone",
    "workEmail",
    "personalEmail",
    "hrSynced",
    "employments",
    "positions",
    "household",
}
ADDRESS_KEYS = {
    "addressID",
    "postOfficeBox",
    "number",
    "prefix",
    "street",
    "tag",
    "direction",
    "apt",
    "city",
    "state",
    "zip",
    "county",
    "locationCode",
    "tract",
    "block",
    "oneLine",
}
LIST_KEYS = {
    "schools": {"schoolNumber", "name"},
    "genders": {"code", "name"},
    "assignmentCodes": {"code", "name"},
    "titleCodes": {"code", "description"},
}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)

    @property
    def errors(self) -> set[tuple[str, str]]:
        """The refusal's (field, code) pairs; every error also has a message."""
        errors = self.body["errors"]
        assert errors and all(set(e) == {"field", "code", "message"} for e in errors), errors
        assert all(e["message"] for e in errors)
        return {(e["field"], e["code"]) for e in errors}


class SandboxDriver:
    """The sandbox's BOI API through Django's test client, with a real OAuth2 token."""

    def __init__(self, client, credentials):
        self.client, self.credentials = client, credentials
        self._token = None

    def token(self, secret=None) -> Answer:
        creds = self.credentials
        basic = base64.b64encode(
            f"{creds['client_id']}:{secret or creds['client_secret']}".encode()
        ).decode()
        response = self.client.post(
            f"/sandbox/campus/oauth2/token?appName={creds['app_name']}",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        return Answer(response.status_code, response.json(), dict(response.headers))

    def call(self, method, path, *, params=None, body=None, token=OWN) -> Answer:
        if token is OWN:
            token = self._token = self._token or self.token().body["access_token"]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        url = SANDBOX_API + path
        if method == "GET":
            response = self.client.get(url, params or {}, **headers)
        else:
            data = json.dumps(body) if body is not None else ""
            response = self.client.generic(
                method, url, data, content_type="application/json", **headers
            )
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return Answer(response.status_code, json.loads(content), dict(response.headers))


class FakeDriver:
    """The fake, through the requests-like interface the console's client uses."""

    BASE = "https://campus.example/campus/api/boi/v1/"

    def __init__(self, fake: FakeBoi):
        self.fake = fake
        self._token = None

    def token(self, secret=None) -> Answer:
        response = self.fake.post(
            "https://campus.example/campus/oauth2/token?appName=idb",
            data={"grant_type": "client_credentials"},
            auth=(self.fake.client_id, secret or self.fake.secret),
        )
        return Answer(response.status_code, response.json(), dict(response.headers))

    def call(self, method, path, *, params=None, body=None, token=OWN) -> Answer:
        if token is OWN:
            token = self._token = self._token or self.token().body["access_token"]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.fake.request(
            method, self.BASE + path, params=params, json=body, headers=headers
        )
        return Answer(response.status_code, response.json(), dict(response.headers))


@pytest.fixture(params=["fake", "sandbox"])
def api(request):
    if request.param == "fake":
        return FakeDriver(FakeBoi())
    from sandbox.models import BOI_SCOPE
    from sandbox.services.clients import api_client_create
    from sandbox.services.seed import district_seed

    request.getfixturevalue("django_capture_on_commit_callbacks")
    from django.core.cache import cache

    cache.clear()
    district_seed(staff=5, students=0, seed=7, actor="tests")
    _, credentials = api_client_create(name="HR system", actor="tests", scopes=BOI_SCOPE)
    return SandboxDriver(request.getfixturevalue("client"), credentials)


@pytest.fixture
def commits_run(request, api):
    """Runs what a call queued for after its transaction (the sandbox's commit job)."""
    if isinstance(api, FakeDriver):
        from contextlib import nullcontext

        return nullcontext
    capture = request.getfixturevalue("django_capture_on_commit_callbacks")
    return lambda: capture(execute=True)


def codes(api, kind: str) -> list[str]:
    key = "schoolNumber" if kind == "schools" else "code"
    return [item[key] for item in api.call("GET", kind).body[kind]]


def a_staff_member(api, number: str, **overrides) -> dict:
    """A complete, valid staff object, coded with the backend's own lists."""
    payload = {
        "staffNumber": number,
        "lastName": "Lindqvist",
        "firstName": "Maren",
        "gender": "F",
        "ssn": "912-34-5678",
        "birthDate": "1985-04-12",
        "workEmail": f"m{number}@district.example",
        "employments": [{"hireDate": "2024-08-19", "terminationDate": None}],
        "positions": [
            {
                "schoolNumber": codes(api, "schools")[-1],
                "assignmentCode": "20",
                "titleCode": codes(api, "titleCodes")[0],
                "startDate": "2024-08-19",
                "endDate": None,
            }
        ],
        "household": {
            "householdLocations": [
                {
                    "address": {
                        "fullStreetAddress": "4321 South Lexington Ave SE Apt 45",
                        "city": "Blaine",
                        "state": "MN",
                        "zip": "55123",
                    }
                }
            ]
        },
    }
    payload.update(overrides)
    return payload


def validated_sync(api, staff: list[dict]) -> str:
    sync_id = api.call("POST", "sync/start").body["syncID"]
    assert api.call("POST", f"sync/{sync_id}/transfer", body=staff).status == 200
    assert api.call("POST", f"sync/{sync_id}/endTransfer").status == 200
    assert api.call("POST", f"sync/{sync_id}/validate").status == 200
    return str(sync_id)


# --- tokens and access --------------------------------------------------------------------


def test_client_credentials_get_a_bearer_token_and_a_wrong_secret_gets_invalid_client(api):
    answer = api.token()
    assert answer.status == 200
    assert {"access_token", "expires_in"} <= set(answer.body)
    refused = api.token(secret="not-the-secret")
    assert refused.status == 401 and refused.body["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("token", "code"), [(None, "unauthorized"), ("not-a-token", "invalid_token")]
)
def test_a_call_without_a_valid_token_is_refused_with_401(api, token, code):
    answer = api.call("GET", "genders", token=token)
    assert answer.status == 401
    assert answer.errors == {("Authorization", code)}


def test_an_unknown_endpoint_is_404_in_the_error_shape(api):
    answer = api.call("GET", "nothing/here")
    assert answer.status == 404 and answer.errors == {("", "not_found")}


# --- lists, searches (none of them paged) -------------------------------------------------


@pytest.mark.parametrize("kind", sorted(LIST_KEYS))
def test_each_campus_list_is_one_wrapped_unpaged_list(api, kind):
    answer = api.call("GET", kind)
    assert answer.status == 200 and set(answer.body) == {kind}
    assert answer.body[kind] and all(set(i) == LIST_KEYS[kind] for i in answer.body[kind])
    assert "Link" not in answer.headers


def test_staff_search_finds_by_staff_number_and_by_names(api):
    created = api.call("POST", "staff", body=a_staff_member(api, "880001"))
    assert created.status == 201
    by_number = api.call("GET", "staff", params={"staffNumber": "880001"})
    assert by_number.status == 200 and set(by_number.body) == {"staff"}
    (found,) = by_number.body["staff"]
    assert set(found) == STAFF_KEYS
    assert (found["staffNumber"], found["ssn"]) == ("880001", "***-**-5678")
    by_names = api.call(
        "GET",
        "staff",
        params={"lastName": "Lindqvist", "firstName": "Maren", "birthDate": "1985-04-12"},
    )
    assert [s["staffNumber"] for s in by_names.body["staff"]] == ["880001"]
    assert api.call("GET", "staff", params={"staffNumber": "nobody"}).body == {"staff": []}


def test_staff_search_without_a_key_is_refused(api):
    answer = api.call("GET", "staff", params={"lastName": "Lindqvist"})
    assert answer.status == 400 and answer.errors == {("staffNumber", "required")}


def test_address_search_finds_a_staff_member_s_address_in_any_spelling(api):
    params = {"fullStreetAddress": "1 Nowhere Rd", "city": "Blaine", "state": "MN", "zip": "55123"}
    answer = api.call("GET", "addresses", params=params)
    assert answer.status == 200 and answer.body == {"addresses": []}
    api.call("POST", "staff", body=a_staff_member(api, "880006"))
    spelled = {**params, "fullStreetAddress": "4321 S. Lexington Avenue SE, Apt 45"}
    (found,) = api.call("GET", "addresses", params=spelled).body["addresses"]
    assert set(found) == ADDRESS_KEYS
    assert (found["number"], found["street"], found["apt"]) == ("4321", "LEXINGTON", "45")


# --- day-to-day writes --------------------------------------------------------------------


def test_create_is_201_and_a_second_create_of_the_number_is_409(api):
    created = api.call("POST", "staff", body=a_staff_member(api, "880002"))
    assert created.status == 201 and created.body["staff"]["staffNumber"] == "880002"
    again = api.call("POST", "staff", body=a_staff_member(api, "880002"))
    assert again.status == 409 and again.errors == {("staffNumber", "duplicate")}


def test_a_staff_member_breaking_the_rules_is_refused_naming_each_problem(api):
    payload = a_staff_member(api, "880003", gender="Q")
    del payload["lastName"]
    answer = api.call("POST", "staff", body=payload)
    assert answer.status == 400
    assert answer.errors == {("gender", "not_found"), ("lastName", "required")}


def test_update_is_200_for_a_known_number_and_404_for_an_unknown_one(api):
    api.call("POST", "staff", body=a_staff_member(api, "880004"))
    updated = api.call(
        "PUT", "staff/880004", body=a_staff_member(api, "880004", workEmail="new@d.example")
    )
    assert updated.status == 200 and updated.body["staff"]["staffNumber"] == "880004"
    missing = api.call("PUT", "staff/880099", body=a_staff_member(api, "880099"))
    assert missing.status == 404 and missing.errors == {("staffNumber", "not_found")}


def test_adding_a_position_is_201_and_404_for_an_unknown_number(api):
    api.call("POST", "staff", body=a_staff_member(api, "880005"))
    position = a_staff_member(api, "880005")["positions"][0]
    added = api.call("POST", "staff/880005/positions", body=position)
    assert added.status == 201 and added.body["staff"]["staffNumber"] == "880005"
    missing = api.call("POST", "staff/880098/positions", body=position)
    assert missing.status == 404 and missing.errors == {("staffNumber", "not_found")}


# --- the synchronization ------------------------------------------------------------------


def test_a_sync_goes_start_transfer_end_validate_and_says_what_each_step_did(api):
    started = api.call("POST", "sync/start")
    assert started.status == 201 and started.body["status"] == "transferring"
    sync_id = started.body["syncID"]
    staff = [a_staff_member(api, f"88010{n}", lastName=f"Ng{n}") for n in range(3)]
    transferred = api.call("POST", f"sync/{sync_id}/transfer", body=staff)
    assert transferred.status == 200
    assert transferred.body == {"syncID": sync_id, "received": 3, "transferred": 3}
    ended = api.call("POST", f"sync/{sync_id}/endTransfer")
    assert ended.status == 200
    assert ended.body == {"syncID": sync_id, "status": "transfer_ended", "transferred": 3}
    report = api.call("POST", f"sync/{sync_id}/validate")
    assert report.status == 200
    assert set(report.body) == {
        "syncID",
        "status",
        "summary",
        "entries",
        "staffToAdd",
        "addressesToAdd",
        "untouchedCampusStaff",
    }
    assert report.body["status"] == "validated"
    assert [(e["staffNumber"], e["action"]) for e in report.body["entries"]] == [
        (s["staffNumber"], "add") for s in staff
    ]
    assert {"staff", "add", "update", "error"} <= set(report.body["summary"])
    assert (report.body["summary"]["staff"], report.body["summary"]["add"]) == (3, 3)
    assert report.body["staffToAdd"] == [s["staffNumber"] for s in staff]


def test_a_sync_s_status_says_how_many_staff_campus_holds_for_it(api):
    sync_id = api.call("POST", "sync/start").body["syncID"]
    assert api.call("GET", f"sync/{sync_id}").body["transferred"] == 0
    staff = [a_staff_member(api, f"88020{n}", lastName=f"Ng{n}") for n in range(2)]
    assert api.call("POST", f"sync/{sync_id}/transfer", body=staff).status == 200

    status = api.call("GET", f"sync/{sync_id}")

    assert status.status == 200
    assert {"syncID", "status", "transferred"} <= set(status.body)
    assert (status.body["status"], status.body["transferred"]) == ("transferring", 2)
    assert api.call("GET", "sync/987654").status == 404


def test_steps_out_of_order_are_409_not_allowed(api):
    sync_id = api.call("POST", "sync/start").body["syncID"]
    for step in ("endTransfer", "validate", "commit", "submitCommitJob"):
        answer = api.call("POST", f"sync/{sync_id}/{step}")
        assert answer.status == 409, step
        assert answer.errors == {("sync", "not_allowed")}, step


def test_a_refused_transfer_names_each_staff_member_s_problems_and_stores_none(api):
    sync_id = api.call("POST", "sync/start").body["syncID"]
    staff = [a_staff_member(api, "880201"), a_staff_member(api, "880202", gender="Q")]
    answer = api.call("POST", f"sync/{sync_id}/transfer", body=staff)
    assert answer.status == 400 and answer.errors == {("staff[1].gender", "not_found")}
    empty = api.call("POST", f"sync/{sync_id}/transfer", body=[])
    assert empty.status == 400 and empty.errors == {("staff", "required")}
    assert api.call("POST", f"sync/{sync_id}/endTransfer").errors == {("sync", "not_allowed")}


def test_an_unknown_sync_is_404(api):
    answer = api.call("POST", "sync/987654/transfer", body=[a_staff_member(api, "880301")])
    assert answer.status == 404 and answer.errors == {("syncID", "not_found")}


def test_the_synchronous_commit_lists_who_was_committed(api):
    staff = [a_staff_member(api, f"88040{n}", lastName=f"Ng{n}") for n in range(2)]
    sync_id = validated_sync(api, staff)
    answer = api.call("POST", f"sync/{sync_id}/commit")
    assert answer.status == 200 and set(answer.body) == {"syncID", "succeeded", "failed"}
    assert [s["staffNumber"] for s in answer.body["succeeded"]] == ["880400", "880401"]
    assert all({"staffNumber", "personID", "action"} == set(s) for s in answer.body["succeeded"])
    assert answer.body["failed"] == []
    found = api.call("GET", "staff", params={"staffNumber": "880401"}).body["staff"]
    assert [s["lastName"] for s in found] == ["Ng1"]


def test_no_commit_job_yet_is_404(api):
    answer = api.call("GET", "sync/jobs/latest")
    assert answer.status == 404 and answer.errors == {("jobID", "not_found")}


def test_the_commit_job_is_accepted_pending_then_reports_counts_when_it_succeeded(api, commits_run):
    staff = [a_staff_member(api, f"88050{n}", lastName=f"Ng{n}") for n in range(3)]
    sync_id = validated_sync(api, staff)
    with commits_run():
        submitted = api.call("POST", f"sync/{sync_id}/submitCommitJob")
    assert submitted.status == 202
    job_keys = {
        "jobID",
        "syncID",
        "status",
        "progress",
        "counts",
        "attempts",
        "createdAt",
        "startedAt",
        "finishedAt",
        "error",
    }
    assert set(submitted.body) == job_keys
    assert submitted.body["status"] == "pending"
    assert submitted.body["progress"] == {"done": 0, "total": 3}
    latest = api.call("GET", "sync/jobs/latest")
    assert latest.status == 200 and set(latest.body) == job_keys
    assert latest.body["jobID"] == submitted.body["jobID"]
    assert latest.body["status"] == "succeeded"
    assert latest.body["progress"] == {"done": 3, "total": 3}
    assert latest.body["counts"] == {"succeeded": 3, "failed": 0}
    assert api.call("POST", f"sync/{sync_id}/commit").errors == {("sync", "not_allowed")}
