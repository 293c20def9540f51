"""Pre-flight finds a Campus parent or former student hired as staff: the BOI staff search
cannot (it finds staff only), the people connection's OneRoster users can.

Everything runs against the live Campus sandbox: the BOI API for the staff numbers, the
OneRoster users and demographics of the same district for every other person.
"""

import io
import itertools
import threading
import time

import pytest
from django.core.cache import cache

from boi import storage
from boi.models import BoiConnection, HrImport, StaffCheck
from boi.services import lookups, person_search
from boi.services.connections import campus_lists_fetch
from boi.services.imports import hr_import_map_columns, hr_import_upload
from boi.services.preflight import preflight_queue
from idbridge.connectors.types import PermanentCampusError
from sandbox.models import BOI_SCOPE, Identity, Person, Relationship, Student
from sandbox.selectors import is_staff_expression
from sandbox.services.clients import api_client_create
from sandbox.services.seed import district_seed
from staff.models import CampusConnection
from tests.boi.conftest import HEADER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campus(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=10, students=12, seed=5, actor="tests")
    _, boi = api_client_create(name="HR system", actor="tests", scopes=BOI_SCOPE)
    connection = BoiConnection.objects.create(
        name="Campus sandbox",
        client_id=boi["client_id"],
        client_secret=boi["client_secret"],
        token_url=boi["token_url"],
        base_url=f"{live_server.url}/sandbox/campus/api/boi/v1/",
        scope=BOI_SCOPE,
    )
    campus_lists_fetch(connection=connection, actor="tests")
    yield connection
    cache.clear()


@pytest.fixture
def people_connection(campus):
    _, creds = api_client_create(name="idbridge", actor="tests")
    rest = CampusConnection.objects.create(
        name="Campus sandbox (Cloud REST)",
        kind="rest",
        token_url=creds["token_url"],
        rostering_base_url=creds["oneroster_base_url"] + "/",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        page_size=7,  # several pages in a pass over every user
    )
    campus.people_connection = rest
    campus.save(update_fields=["people_connection"])
    return rest


def _not_staff(ids):
    people = Person.objects.filter(pk__in=ids, birth_date__isnull=False)
    return people.exclude(pk__in=Person.objects.filter(is_staff_expression())).order_by("pk")


def _hr_line(number: str, person: Person, *, birth: str = "") -> str:
    identity = Identity.objects.get(person=person, is_current=True)
    birth = birth or person.birth_date.isoformat()
    return (
        f"{number},{identity.last_name},{identity.first_name},F,,{birth},2026-08-20,010,20,"
        "2026-08-20,,,,"
    )


def _preflight(connection, lines: list[str]) -> HrImport:
    data = (HEADER + "\n".join(lines) + "\n").encode()
    hr_import = hr_import_upload(
        connection=connection,
        file_name="new-hires.csv",
        stored=storage.store(io.BytesIO(data)),
        actor="tests",
    )
    hr_import_map_columns(hr_import=hr_import, column_map=hr_import.column_map, actor="tests")
    hr_import.refresh_from_db()
    assert hr_import.is_checked and hr_import.error_row_count == 0, hr_import.problem
    preflight_queue(hr_import=hr_import, actor="tests")  # runs in-process
    hr_import.refresh_from_db()
    assert hr_import.preflight_status == "done"
    return hr_import


def _outcomes(hr_import) -> dict[str, tuple[str, list]]:
    return {
        c.staff_number: (c.outcome, c.campus_matches)
        for c in StaffCheck.objects.filter(hr_import=hr_import)
    }


def _hires():
    parent = _not_staff(Relationship.objects.values("guardian_id")).first()
    student = _not_staff(Student.objects.values("person_id")).exclude(pk=parent.pk).first()
    return parent, student


@pytest.mark.parametrize("one_pass", [False, True], ids=["one by one", "page by page"])
def test_a_parent_and_a_former_student_hired_as_staff_are_likely_duplicates(
    campus, people_connection, monkeypatch, one_pass
):
    if one_pass:  # every user, then every user's demographics, read page by page
        monkeypatch.setattr(person_search, "PAGE_COST_IN_NAME_QUERIES", 0)
        monkeypatch.setattr(person_search, "PAGE_COST_IN_DEMOGRAPHICS_CALLS", 0)
    parent, student = _hires()
    lines = [
        _hr_line("N9001", parent),
        _hr_line("N9002", student),
        _hr_line("N9003", parent, birth="1901-01-01"),  # the parent's name, another person
    ]
    hr_import = _preflight(campus, lines)
    outcomes = _outcomes(hr_import)
    duplicate = StaffCheck.Outcome.LIKELY_DUPLICATE
    assert outcomes["N9001"][0] == duplicate and outcomes["N9002"][0] == duplicate
    [as_parent] = outcomes["N9001"][1]
    assert as_parent["personID"] == parent.pk
    assert set(as_parent["roles"]) & {"parent", "guardian", "relative"}
    [as_student] = outcomes["N9002"][1]
    assert (as_student["personID"], as_student["roles"]) == (student.pk, ["student"])
    assert outcomes["N9003"][0] == StaffCheck.Outcome.MISSING
    summary = hr_import.preflight_summary
    assert (summary["likely_duplicates"], summary["staff_missing"]) == (2, 1)
    assert (summary["people_searched"], summary["people_duplicates"]) == (True, 2)


def test_the_page_names_the_campus_person_and_what_was_searched(
    campus, people_connection, login, hr_operator
):
    parent, _ = _hires()
    hr_import = _preflight(campus, [_hr_line("N9001", parent)])
    page = login(hr_operator).get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "every other Campus person — students, parents and guardians" in page
    assert f"person {parent.pk}" in page and "Likely duplicate under another number" in page


def test_without_a_people_connection_only_staff_are_searched_and_the_page_says_so(
    campus, login, hr_operator
):
    parent, _ = _hires()
    hr_import = _preflight(campus, [_hr_line("N9001", parent)])
    assert _outcomes(hr_import)["N9001"][0] == StaffCheck.Outcome.MISSING
    assert hr_import.preflight_summary["people_searched"] is False
    page = login(hr_operator).get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "Students, parents and guardians were not searched" in page


def test_every_users_demographics_are_read_page_by_page(people_connection):
    from staff.connectors import connector_for

    read = {
        d["sourcedId"]: d["birthDate"] for d in connector_for(people_connection).iter_demographics()
    }
    people = Person.objects.all()
    assert len(read) == people.count() > people_connection.page_size
    for person in people:
        assert read[str(person.pk)] == (person.birth_date.isoformat() if person.birth_date else "")


def test_the_operator_chooses_the_people_connection_among_the_cloud_rest_ones(
    campus, login, hr_operator
):
    rest = CampusConnection.objects.create(name="District OneRoster", kind="rest")
    CampusConnection.objects.create(name="District SOAP", kind="soap")
    client = login(hr_operator)
    form = client.get(f"/boi/connections/{campus.id}/edit/").content.decode()
    assert "District OneRoster" in form and "District SOAP" not in form
    data = {
        "name": campus.name,
        "client_id": campus.client_id,
        "token_url": campus.token_url,
        "base_url": campus.base_url,
        "scope": campus.scope,
        "household_allowed": "on",
        "request_timeout_seconds": 30,
        "people_connection": rest.id,
    }
    response = client.post(f"/boi/connections/{campus.id}/edit/", data)
    assert response.status_code == 302
    campus.refresh_from_db()
    assert campus.people_connection == rest
    page = client.get(f"/boi/connections/{campus.id}/").content.decode()
    assert "District OneRoster (OneRoster): pre-flight also looks for students" in page


def test_a_refused_people_search_leaves_the_staff_checks_and_says_why(
    campus, people_connection, login, hr_operator
):
    people_connection.client_secret = "not the secret"
    people_connection.save()
    parent, _ = _hires()
    hr_import = _preflight(campus, [_hr_line("N9001", parent)])
    assert _outcomes(hr_import)["N9001"][0] == StaffCheck.Outcome.MISSING
    summary = hr_import.preflight_summary
    assert summary["people_searched"] is False and summary["people_search_error"]
    page = login(hr_operator).get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "Students, parents and guardians were not searched: Campus's OneRoster refused" in page


class InFlight:
    """The most OneRoster requests of the people search in flight at once. Each request is
    held a moment so that requests sent side by side are seen to overlap."""

    def __init__(self, monkeypatch):
        from idbridge.connectors.rest import RestConnector

        self.now = self.most = 0
        self.lock = threading.Lock()
        original = RestConnector._get

        def counted(connector, url, params=None, *, what):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                time.sleep(0.02)
                return original(connector, url, params, what=what)
            finally:
                with self.lock:
                    self.now -= 1

        monkeypatch.setattr(RestConnector, "_get", counted)


@pytest.mark.parametrize("one_pass", [False, True], ids=["one by one", "page by page"])
def test_the_people_search_sends_requests_side_by_side_and_finds_the_same(
    campus, people_connection, monkeypatch, one_pass
):
    if one_pass:
        monkeypatch.setattr(person_search, "PAGE_COST_IN_NAME_QUERIES", 0)
        monkeypatch.setattr(person_search, "PAGE_COST_IN_DEMOGRAPHICS_CALLS", 0)
    people = list(_not_staff(Person.objects.values("pk"))[:6])
    lines = [_hr_line(f"N90{n:02d}", p) for n, p in enumerate(people)]
    lines += [_hr_line("N9099", people[0], birth="1901-01-01")]  # the name, not the person
    in_flight = InFlight(monkeypatch)
    monkeypatch.setattr(lookups, "MAX_CONCURRENCY", 1)
    alone = _outcomes(_preflight(campus, lines))
    assert in_flight.most == 1

    in_flight.most = 0
    monkeypatch.setattr(lookups, "MAX_CONCURRENCY", 4)
    side_by_side = _outcomes(_preflight(campus, lines))

    assert 1 < in_flight.most <= 4
    assert side_by_side == alone
    duplicates = {n for n, (outcome, _) in alone.items() if outcome == "duplicate"}
    assert len(duplicates) > 1 and "N9000" in duplicates and "N9099" not in duplicates


def test_a_people_search_request_that_fails_marks_nobody_and_says_why(
    campus, people_connection, monkeypatch
):
    from idbridge.connectors.rest import RestConnector

    parent, student = _hires()
    original, calls = RestConnector.birth_date, itertools.count(1)

    def refused_the_second_time(connector, key):
        if next(calls) == 2:  # on a worker thread: the first one runs on the job's
            raise PermanentCampusError("OneRoster demographics: Campus refused the request")
        return original(connector, key)

    monkeypatch.setattr(RestConnector, "birth_date", refused_the_second_time)
    hr_import = _preflight(campus, [_hr_line("N9001", parent), _hr_line("N9002", student)])

    outcomes = _outcomes(hr_import)
    assert {outcome for outcome, _ in outcomes.values()} == {StaffCheck.Outcome.MISSING}
    summary = hr_import.preflight_summary
    assert summary["people_searched"] is False and "people_duplicates" not in summary
    assert summary["people_search_error"] == "OneRoster demographics: Campus refused the request"
