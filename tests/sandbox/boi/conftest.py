"""Fixtures for the sandbox's BOI API: a real OAuth2 token, JSON calls, staff payloads.

Calls go through Django's test client to the real views, with a bearer token obtained
from the sandbox's token endpoint (client credentials), exactly as an HR system gets it.
"""

import base64
import json
from datetime import date

import pytest

from sandbox.models import AssignmentCode, School, TitleCode

BASE = "/sandbox/campus/api/boi/v1"


class BoiApi:
    def __init__(self, client, credentials):
        self.client = client
        self.credentials = credentials
        self._token = None

    def token_response(self, secret=None):
        creds = self.credentials
        basic = base64.b64encode(
            f"{creds['client_id']}:{secret or creds['client_secret']}".encode()
        ).decode()
        return self.client.post(
            f"/sandbox/campus/oauth2/token?appName={creds['app_name']}",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )

    @property
    def token(self) -> str:
        if self._token is None:
            response = self.token_response()
            assert response.status_code == 200, response.content
            self._token = response.json()["access_token"]
        return self._token

    def _headers(self, token):
        token = self.token if token is None else token
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, *, token=None):
        return self.client.get(f"{BASE}/{path}", params or {}, **self._headers(token))

    def call(self, method, path, body=None, *, token=None, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.generic(
            method, f"{BASE}/{path}", data, content_type="application/json", **self._headers(token)
        )

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.call("PUT", path, body, **kwargs)


def read(response):
    """A streamed or plain JSON response body."""
    if getattr(response, "streaming", False):
        return json.loads(b"".join(response.streaming_content))
    return response.json()


def errors(response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in read(response)["errors"]]


@pytest.fixture
def district(db, seed_district):
    return seed_district(staff=30, students=30, seed=7)


@pytest.fixture
def boi_api(db, client, make_api_client):
    """An HR system's API client with the BOI scope, and its bearer token."""
    return BoiApi(client, make_api_client(name="HR system"))


@pytest.fixture
def refs(district):
    """Valid mapping values of the seeded district."""
    return {
        "school": School.objects.exclude(kind="office").order_by("number").first().number,
        "school2": School.objects.exclude(kind="office").order_by("-number").first().number,
        "code": AssignmentCode.objects.get(code="20").code,
        "title": TitleCode.objects.order_by("code").first().code,
    }


@pytest.fixture
def staff_payload(refs):
    """``staff_payload(number, **overrides)``: a complete, valid staff object."""

    def make(number="900001", **overrides):
        payload = {
            "staffNumber": number,
            "lastName": "Lindqvist",
            "firstName": "Maren",
            "middleName": "Ada",
            "gender": "F",
            "ssn": "912-34-5678",
            "birthDate": "1985-04-12",
            "workPhone": "763-555-0101",
            "cellPhone": "",
            "otherPhone": "",
            "workEmail": f"m{number}@rrvps.example.org",
            "personalEmail": "",
            "employments": [{"hireDate": "2024-08-19", "terminationDate": None}],
            "positions": [
                {
                    "schoolNumber": refs["school"],
                    "assignmentCode": refs["code"],
                    "titleCode": refs["title"],
                    "titleDescription": "",
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

    return make


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def iso(d: date) -> str:
    return d.isoformat()


def payload_from_campus(person) -> dict:
    """A staff object that says exactly what Campus has for a seeded person (no household)."""
    identity = person.identities.get(is_current=True)
    return {
        "staffNumber": person.staff_number,
        "lastName": identity.last_name,
        "firstName": identity.first_name,
        "middleName": identity.middle_name,
        "gender": person.gender.code,
        "ssn": person.ssn.reveal(),
        "birthDate": person.birth_date.isoformat() if person.birth_date else None,
        "workPhone": person.work_phone,
        "cellPhone": person.cell_phone,
        "otherPhone": person.other_phone,
        "workEmail": person.work_email,
        "personalEmail": person.personal_email,
        "employments": [
            {
                "hireDate": e.hire_date.isoformat(),
                "terminationDate": e.termination_date.isoformat() if e.termination_date else None,
            }
            for e in person.employments.all()
        ],
        "positions": [
            {
                "schoolNumber": a.school.number,
                "assignmentCode": a.assignment_code.code if a.assignment_code else None,
                "titleCode": a.title_code.code if a.title_code else None,
                "startDate": a.start_date.isoformat(),
                "endDate": a.end_date.isoformat() if a.end_date else None,
            }
            for a in person.assignments.select_related("school", "assignment_code", "title_code")
        ],
    }


def unique_staff(count: int):
    """Seeded staff whose staff number nobody else has, in personID order."""
    from django.db.models import Count

    from sandbox.models import Person

    unique = (
        Person.objects.exclude(staff_number="")
        .values("staff_number")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values("staff_number")
    )
    return list(
        Person.objects.filter(staff_number__in=unique, assignments__isnull=False)
        .distinct()
        .order_by("id")[:count]
    )
