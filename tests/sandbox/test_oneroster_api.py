"""OAuth2 + OneRoster 1.2 through a real ``requests`` client against a live server."""

import base64
import json
from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone
from oauth2_provider.models import AccessToken

from sandbox import faults
from sandbox.models import (
    ROSTER_CORE_SCOPE,
    ApiClient,
    DistrictAssignment,
    Person,
    School,
    Student,
)
from sandbox.services.clients import api_client_rotate_secret
from sandbox.services.people import person_touch

pytestmark = pytest.mark.django_db(transaction=True)


def code_minor(response) -> str:
    body = response.json()
    assert set(body) >= {"imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"}
    return body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def ids(response) -> list[int]:
    return [int(u["sourcedId"]) for u in response.json()["users"]]


# --- Token ------------------------------------------------------------------------------


@pytest.mark.parametrize("basic", [True, False])
def test_a_client_gets_a_jwt_style_bearer_token_with_basic_or_form_credentials(oneroster, basic):
    api = oneroster()
    response = api.token_response(basic=basic)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {
        "roster-core.readonly",
        "roster-demographics.readonly",
        "boi.readwrite",
    }
    header, payload, signature = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["appName"] == api.app
    assert claims["exp"] - claims["iat"] == 3600
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "kwargs,status,error",
    [
        ({"secret": "wrong"}, 401, "invalid_client"),
        ({"app": "some-other-app"}, 401, "invalid_client"),
        ({"app": ""}, 400, "invalid_request"),
        ({"data": {"grant_type": "password", "username": "a", "password": "b"}}, 400, None),
    ],
)
def test_a_token_is_refused_for_bad_credentials_app_or_grant(oneroster, kwargs, status, error):
    response = oneroster().token_response(**kwargs)
    assert response.status_code in ((status, 401) if error is None else (status,))
    assert "access_token" not in response.text
    if error:
        assert response.json()["error"] == error


def test_tokens_expire_early_when_the_fault_switch_says_so(oneroster):
    faults.faults_set(actor="tests", session_seconds=5)
    assert oneroster().token_response().json()["expires_in"] == 5


# --- Users, paging, filters ---------------------------------------------------------------


def test_a_client_pages_through_2500_users_following_link_headers(oneroster, seed_district):
    seed_district(staff=2500, students=0)
    api = oneroster()
    response = api.get("users", {"limit": 1000})
    seen, pages = [], 0
    while True:
        assert response.status_code == 200, response.text
        assert response.headers["X-Total-Count"] == "2500"
        seen += ids(response)
        pages += 1
        if "next" not in response.links:
            break
        response = api.get(response.links["next"]["url"])
    assert pages == 3
    assert len(seen) == len(set(seen)) == 2500
    assert set(seen) == set(Person.objects.values_list("pk", flat=True))
    assert seen == sorted(seen)
    assert response.links["last"]["url"].endswith("offset=2000")
    assert "prev" in response.links


def test_a_delta_query_returns_exactly_the_users_changed_since(oneroster, seed_district):
    seed_district(staff=300, students=50)
    changed = list(Person.objects.order_by("?").values_list("pk", flat=True)[:10])
    since = timezone.now() - timedelta(seconds=1)
    person_touch(person_ids=changed)
    api = oneroster()
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = api.get("users", {"filter": f"dateLastModified>'{stamp}'", "limit": 1000})
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(changed)
    assert response.headers["X-Total-Count"] == "10"


def test_a_role_filter_returns_exactly_the_users_with_that_role(oneroster, district):
    api = oneroster()
    teachers = set(
        Person.objects.filter(
            Exists(
                DistrictAssignment.objects.filter(
                    person=OuterRef("pk"), assignment_code__oneroster_role="teacher"
                )
            )
        ).values_list("pk", flat=True)
    )
    response = api.get("users", {"filter": "role='teacher'", "limit": 1000})
    assert teachers and set(ids(response)) == teachers
    for user in response.json()["users"]:
        assert "teacher" in {r["role"] for r in user["roles"]}
    students = set(Student.objects.values_list("person_id", flat=True))
    response = api.get("users", {"filter": "role='student'", "limit": 1000})
    assert set(ids(response)) == students


def test_two_predicates_combine_with_and_or_or(oneroster, district):
    api = oneroster()
    staff = Person.objects.exclude(staff_number="").order_by("pk").first()
    by_number = api.get(
        "users", {"filter": f"identifier='{staff.staff_number}' AND role!='student'"}
    )
    assert staff.pk in ids(by_number)
    either = api.get(
        "users", {"filter": f"sourcedId='{staff.pk}' OR role='student'", "limit": 1000}
    )
    assert set(ids(either)) == {staff.pk} | set(Student.objects.values_list("person_id", flat=True))


@pytest.mark.parametrize(
    "flt",
    [
        "shoeSize='9'",
        "givenName='Ann",
        "givenName=Ann",
        "role='teacher' AND role='aide' AND role='student'",
        "dateLastModified>'last tuesday'",
        "role>'teacher'",
        "status='maybe'",
        "dateLastModified~'2026'",
        "dateLastModified>'9999-12-31T23:59:59-14:00'",
    ],
)
def test_bad_filters_get_imsx_status_info_errors_not_500s(oneroster, district, flt):
    response = oneroster().get("users", {"filter": flt})
    assert response.status_code == 400
    assert code_minor(response) == "invalid_filter_field"
    assert response.json()["imsx_codeMajor"] == "failure"


def test_status_and_enabled_user_follow_current_roles(oneroster, district):
    api = oneroster()
    active = api.get("users", {"filter": "status='active'", "limit": 1000})
    gone = api.get("users", {"filter": "status='tobedeleted'", "limit": 1000})
    assert int(active.headers["X-Total-Count"]) + int(gone.headers["X-Total-Count"]) == (
        Person.objects.count()
    )
    assert all(u["enabledUser"] for u in active.json()["users"])
    assert not any(u["enabledUser"] for u in gone.json()["users"])


def test_sort_order_and_field_selection(oneroster, district):
    api = oneroster()
    response = api.get(
        "users",
        {"sort": "familyName", "orderBy": "desc", "fields": "sourcedId,familyName", "limit": 1000},
    )
    users = response.json()["users"]
    assert all(set(u) == {"sourcedId", "familyName"} for u in users)
    names = [u["familyName"] for u in users]
    assert names == sorted(names, reverse=True)
    assert code_minor(api.get("users", {"sort": "ssn"})) == "invalid_sort_field"
    assert code_minor(api.get("users", {"fields": "sourcedId,ssn"})) == "invalid_selection_field"
    assert code_minor(api.get("users", {"limit": "0"})) == "invaliddata"


def test_one_user_carries_the_staff_number_roles_and_identifiers(oneroster, district):
    staff = Person.objects.exclude(staff_number="").filter(assignments__isnull=False).first()
    response = oneroster().get(f"users/{staff.pk}")
    user = response.json()["user"]
    assert user["sourcedId"] == str(staff.pk)
    assert user["identifier"] == staff.staff_number
    assert {"type": "staffNumber", "identifier": staff.staff_number} in user["userIds"]
    assert user["email"] == staff.work_email
    assert user["status"] in ("active", "tobedeleted")
    roles = user["roles"]
    assert len([r for r in roles if r["roleType"] == "primary"]) == 1
    schools = set(School.objects.values_list("sourced_id", flat=True))
    assert all(r["org"]["sourcedId"] in schools for r in roles)
    assert user["dateLastModified"].endswith("Z")


@pytest.mark.parametrize("sourced_id", ["99999999", "abc", "²", "99999999999999999999999"])
def test_an_unknown_user_is_unknownobject(oneroster, district, sourced_id):
    response = oneroster().get(f"users/{sourced_id}")
    assert response.status_code == 404
    assert code_minor(response) == "unknownobject"


def test_demographics_need_the_demographics_scope(oneroster, district):
    person = Person.objects.exclude(birth_date=None).first()
    allowed = oneroster().get(f"demographics/{person.pk}")
    assert allowed.status_code == 200
    assert allowed.json()["demographics"]["birthDate"] == person.birth_date.isoformat()
    denied = oneroster(scopes=ROSTER_CORE_SCOPE).get(f"demographics/{person.pk}")
    assert denied.status_code == 403
    assert code_minor(denied) == "forbidden"


# --- Authorization -------------------------------------------------------------------------


def test_no_token_or_a_bad_token_is_unauthorised(oneroster, district):
    api = oneroster()
    for token in ("", "not-a-token"):
        response = api.get("users", token=token)
        assert response.status_code == 401
        assert code_minor(response) == "unauthorisedrequest"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_works_only_under_its_own_app_name(oneroster, district):
    first, second = oneroster(), oneroster()
    response = first.get("users", token=second.token())
    assert response.status_code == 401
    assert second.get("users").status_code == 200


def test_an_expired_token_is_unauthorised(oneroster, district):
    api = oneroster()
    api.token()
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert api.get("users").status_code == 401


def test_a_token_in_the_query_string_is_not_accepted(oneroster, district):
    api = oneroster()
    response = api.http.get(api.url("users"), params={"access_token": api.token()}, timeout=10)
    assert response.status_code == 401


def test_generate_new_secret_invalidates_the_old_secret_and_its_tokens_at_once(oneroster, district):
    api = oneroster()
    old_token = api.token()
    client = ApiClient.objects.get(app_name=api.app)
    new_secret = api_client_rotate_secret(client=client, actor="tests")
    assert api.get("users", token=old_token).status_code == 401
    assert api.token_response().status_code == 401
    assert api.token_response(secret=new_secret).status_code == 200


# --- Orgs, OpenAPI, faults, counters ---------------------------------------------------------


def test_orgs_are_the_district_and_its_schools(oneroster, district):
    api = oneroster()
    orgs = api.get("orgs", {"limit": 100}).json()["orgs"]
    assert [o["type"] for o in orgs].count("district") == 1
    assert {o["identifier"] for o in orgs if o["type"] == "school"} == set(
        School.objects.values_list("number", flat=True)
    )
    schools = api.get("schools", {"filter": "type='school'"})
    assert schools.headers["X-Total-Count"] == str(School.objects.count())
    school = School.objects.first()
    assert api.get(f"schools/{school.sourced_id}").json()["org"]["name"] == school.name
    district_id = next(o["sourcedId"] for o in orgs if o["type"] == "district")
    assert api.get(f"orgs/{district_id}").status_code == 200
    assert api.get(f"schools/{district_id}").status_code == 404
    assert code_minor(api.get("orgs", {"filter": "colour='red'"})) == "invalid_filter_field"


def test_the_openapi_description_lists_what_the_sandbox_serves(live_server):
    import requests

    spec = requests.get(
        f"{live_server.url}/sandbox/campus/api/oneroster/openapi.json", timeout=10
    ).json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert "/sandbox/campus/oauth2/token" in paths
    assert any(p.endswith("/users/{sourcedId}") for p in paths)
    assert any(p.endswith("/demographics/{sourcedId}") for p in paths)


def test_injected_429s_carry_retry_after_and_503s_look_like_a_proxy(oneroster, district):
    api = oneroster()
    api.token()
    faults.faults_set(
        actor="tests", rate_limit_share=1.0, retry_after_seconds=3, endpoints="oneroster"
    )
    limited = api.get("users")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert code_minor(limited) == "server_busy"
    faults.faults_set(actor="tests", rate_limit_share=0, error_share=1.0, error_status=503)
    unavailable = api.get("users")
    assert unavailable.status_code == 503
    assert unavailable.headers["Content-Type"].startswith("text/plain")
    faults.faults_set(actor="tests", endpoints="oauth.token")
    assert api.token_response().status_code == 503


def test_counters_count_token_requests_and_user_reads(oneroster, district):
    faults.counters_reset()
    api = oneroster()
    api.get("users")
    api.get("users/1")
    counts = faults.counters_get()
    assert counts["oauth.token"] == 1
    assert counts["oneroster.users"] == 1
    assert counts["oneroster.user"] == 1


def test_a_sourced_id_filter_that_is_no_number_matches_nobody(oneroster, district):
    response = oneroster().get("users", {"filter": "sourcedId='²'"})
    assert response.status_code == 200
    assert response.json()["users"] == []


def test_an_offset_past_what_the_database_counts_is_invaliddata(oneroster, district):
    response = oneroster().get("users", {"offset": "99999999999999999999999"})
    assert response.status_code == 400
    assert code_minor(response) == "invaliddata"


def test_basic_credentials_that_are_not_base64_text_are_refused_not_a_500(oneroster):
    api = oneroster()
    response = api.http.post(
        f"{api.base_url}/sandbox/campus/oauth2/token",
        params={"appName": api.app},
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic éééé".encode()},
        timeout=10,
    )
    assert response.status_code in (400, 401)
    assert "access_token" not in response.text
