"""The onboarding pages speak the district's words: schools by the names Campus gives
them (the key only when it gives none, saying so), people by their names rather than
account labels, Campus roles as words, every time on the district's clock naming its
zone; no API field names, dicts or "None"."""

import re

import pytest
from django.core.mail import send_mail

from idbridge.audit.models import AuditEntry
from idbridge.connectors.types import Assignment
from staff.models import InvitationWave
from staff.services.existing import Scope
from staff.services.waves import wave_create
from tests.boi.test_console_words import API_NAME, DEVELOPER_TEXT, visible_text
from tests.staff.conftest import person
from tests.staff.test_baseline import baseline

pytestmark = pytest.mark.django_db

NORTHSIDE, NAMELESS = "org-4f1c-northside", "org-99aa"
# A clock time on a page: only with the zone's abbreviation after it.
ZONELESS_TIME = re.compile(r"\b\d\d:\d\d(?::\d\d)?(?![:\d])(?! C[SD]T)")


@pytest.fixture
def onboarding(connection, hr_operator):
    hr_operator.first_name, hr_operator.last_name = "Omar", "Haddad"
    hr_operator.save()
    at_northside = Assignment(school_number=NORTHSIDE, school_name="Northside Elementary")
    cases = baseline(
        connection,
        [
            person(1, assignments=(at_northside,), roles=("districtAdministrator",)),
            person(2, assignments=(at_northside, Assignment(school_number=NAMELESS))),
        ],
    )
    wave = wave_create(scope=Scope(school=NORTHSIDE), pace_per_hour=50, actor=hr_operator)
    return {"cases": cases, "wave": wave}


def _pages(onboarding):
    wave: InvitationWave = onboarding["wave"]
    return [
        "/staff/",
        *(f"/staff/cases/{case.id}/" for case in onboarding["cases"].values()),
        "/staff/waves/",
        f"/staff/waves/{wave.id}/",
        "/staff/waves/new/",
        "/outbox/",
        "/audit/",
    ]


def test_no_onboarding_page_shows_ids_api_names_account_labels_or_zoneless_times(
    onboarding, client, hr_operator, district_admin
):
    send_mail("Welcome", "Hello", "idbridge@district.example", ["maria@example.org"])
    client.force_login(district_admin)
    for url in _pages(onboarding):
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert not API_NAME.findall(text), (url, API_NAME.findall(text))
        assert not DEVELOPER_TEXT.findall(text), (url, DEVELOPER_TEXT.findall(text))
        assert "omar_hr" not in text, url
        assert NORTHSIDE not in text, url
        assert not ZONELESS_TIME.findall(text), (url, ZONELESS_TIME.findall(text))


def test_schools_are_shown_by_name_and_a_nameless_one_says_so(onboarding, client, hr_operator):
    client.force_login(hr_operator)
    text = visible_text(client.get("/staff/").content.decode())
    assert "Cases per school School" in text
    assert re.search(r"Northside Elementary( 0)* 2( 0)* 2", text), text
    assert f"{NAMELESS} (Campus gives no name)" in text
    case = onboarding["cases"]["S00002"]
    page = visible_text(client.get(f"/staff/cases/{case.id}/").content.decode())
    assert f"Schools Northside Elementary, {NAMELESS} (Campus gives no name)" in page


def test_waves_name_who_started_them_and_their_school(onboarding, client, hr_operator):
    wave = onboarding["wave"]
    client.force_login(hr_operator)
    listing = visible_text(client.get("/staff/waves/").content.decode())
    assert "Omar Haddad school Northside Elementary" in listing
    page = visible_text(client.get(f"/staff/waves/{wave.id}/").content.decode())
    assert re.search(r"Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d C[SD]T by Omar Haddad", page)
    assert "Whom school Northside Elementary" in page
    form = visible_text(client.get("/staff/waves/new/").content.decode())
    assert "Northside Elementary (2)" in form and "district administrator (1)" in form


def test_the_case_timeline_names_people_and_roles_in_words(onboarding, client, hr_operator):
    case = onboarding["cases"]["S00001"]
    client.force_login(hr_operator)
    page = visible_text(client.get(f"/staff/cases/{case.id}/").content.decode())
    assert "Roles district administrator" in page
    assert "by idbridge's Campus poll" in page and "campus:poller" not in page


def test_the_audit_log_names_a_waves_school_and_keeps_its_key(onboarding, client, auditor):
    hr = onboarding["wave"].created_by
    wave_create(scope=Scope(school=NAMELESS), pace_per_hour=None, actor=hr)
    kept = AuditEntry.objects.filter(action="staff.wave.created").order_by("id")
    assert [e.details["scope"] for e in kept] == [f"school {NORTHSIDE}", f"school {NAMELESS}"]
    client.force_login(auditor)
    page = visible_text(client.get("/audit/").content.decode())
    assert "Scope school Northside Elementary" in page
    assert f"Scope school {NAMELESS} (Campus gives no name)" in page
    export = b"".join(client.get("/audit/audit-log.csv").streaming_content).decode()
    assert "Scope: school Northside Elementary" in export and NORTHSIDE not in export
