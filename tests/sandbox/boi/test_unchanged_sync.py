"""Sending an unchanged HR file again changes nothing in Campus, so OneRoster's
``dateLastModified`` of the synced staff stays put (pollers re-read nothing); a real change
moves it for exactly the people it touched."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from boi.services.sync.validate import entry_action
from sandbox.boi.preferences import preferences_get
from sandbox.oneroster.protocol import format_datetime

from .conftest import payload_from_campus, read, unique_staff

pytestmark = pytest.mark.django_db

ONEROSTER = "/sandbox/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2"


class Roster:
    """OneRoster users, read with the HR system's own bearer token."""

    def __init__(self, boi_api):
        self.api = boi_api
        self.base = ONEROSTER.format(app=boi_api.credentials["app_name"])

    def _get(self, path, params=None):
        response = self.api.client.get(
            f"{self.base}/{path}", params or {}, HTTP_AUTHORIZATION=f"Bearer {self.api.token}"
        )
        assert response.status_code == 200, response.content
        return response.json()

    def modified(self, person_ids) -> dict[int, str]:
        return {pk: self._get(f"users/{pk}")["user"]["dateLastModified"] for pk in person_ids}

    def changed_since(self, moment) -> set[int]:
        flt = f"dateLastModified>'{format_datetime(moment)}'"
        users = self._get("users", {"filter": flt, "limit": 1000})["users"]
        return {int(u["sourcedId"]) for u in users}


def validated(boi_api, staff) -> tuple[str, dict]:
    """Start, transfer, end transfer and validate: the sync's id and the validate report."""
    sync_id = boi_api.post("sync/start").json()["syncID"]
    assert boi_api.post(f"sync/{sync_id}/transfer", {"staff": staff}).status_code == 200
    assert boi_api.post(f"sync/{sync_id}/endTransfer").status_code == 200
    response = boi_api.post(f"sync/{sync_id}/validate")
    assert response.status_code == 200, response.content
    return sync_id, read(response)


def sync(boi_api, staff) -> dict[str, int]:
    """A whole sync (start, transfer, validate, commit); personID by staff number."""
    sync_id, _ = validated(boi_api, staff)
    response = boi_api.post(f"sync/{sync_id}/commit")
    assert response.status_code == 200, response.content
    body = read(response)
    assert body["failed"] == []
    return {s["staffNumber"]: s["personID"] for s in body["succeeded"]}


def a_moment_later():
    """A moment strictly after every write so far, at OneRoster's millisecond precision."""
    moment = timezone.now() + timedelta(milliseconds=1)
    while timezone.now() <= moment + timedelta(milliseconds=1):
        time.sleep(0.001)
    return moment


@pytest.fixture
def hr_file(district, staff_payload):
    """Five Campus staff as Campus has them (one with a changed phone), and two new hires
    with a household address."""
    payloads = [payload_from_campus(p) for p in unique_staff(5)]
    payloads[0]["workPhone"] = "651-555-0177"
    return payloads + [staff_payload("920001"), staff_payload("920002", lastName="Aune")]


def test_an_unchanged_file_sent_again_moves_no_date_last_modified(boi_api, hr_file):
    roster = Roster(boi_api)
    ids = sync(boi_api, hr_file)
    assert len(ids) == len(hr_file)
    before = roster.modified(ids.values())
    since = a_moment_later()

    assert sync(boi_api, hr_file) == ids

    assert roster.modified(ids.values()) == before
    assert roster.changed_since(since).isdisjoint(ids.values())


def test_a_real_change_moves_only_the_people_it_touched(boi_api, hr_file):
    roster = Roster(boi_api)
    ids = sync(boi_api, hr_file)
    before = roster.modified(ids.values())
    since = a_moment_later()
    renamed, ended, moved = hr_file[1], hr_file[2], hr_file[5]
    renamed["lastName"] += "-Okafor"
    ended["positions"][0]["endDate"] = timezone.localdate().isoformat()
    moved["household"]["householdLocations"][0]["address"] = {
        "fullStreetAddress": "77 Main St NE",
        "city": "Blaine",
        "state": "MN",
        "zip": "55434",
    }

    sync(boi_api, hr_file)

    after = roster.modified(ids.values())
    touched = {ids[p["staffNumber"]] for p in (renamed, ended, moved)}
    assert {pk for pk in ids.values() if after[pk] != before[pk]} == touched
    assert roster.changed_since(since) == touched


def test_an_unchanged_staff_update_or_position_update_moves_nothing(boi_api, staff_payload):
    roster = Roster(boi_api)
    created = boi_api.post("staff", staff_payload())
    assert created.status_code in (200, 201), created.content
    person_id = created.json()["staff"]["personID"]
    before = roster.modified([person_id])
    since = a_moment_later()

    assert boi_api.put("staff/900001", staff_payload()).status_code == 200
    positions = {"positions": staff_payload()["positions"]}
    assert boi_api.put("staff/900001/positions", positions).status_code == 200

    assert roster.modified([person_id]) == before
    assert person_id not in roster.changed_since(since)
    assert boi_api.put("staff/900001", staff_payload(workPhone="651-555-0199")).status_code == 200
    assert roster.changed_since(since) == {person_id}


def test_an_unchanged_file_sent_again_with_households_allowed_reports_no_change(boi_api, hr_file):
    assert preferences_get().allow_household_updates
    sync(boi_api, hr_file)

    _, report = validated(boi_api, hr_file)

    entries = {e["staffNumber"]: e for e in report["entries"]}
    for number in ("920001", "920002"):  # the new hires of the first sync, with an address
        assert entries[number]["household"]["action"] == "unchanged"
        assert "already at the address sent" in entries[number]["household"]["reason"]
    # What the console makes of each entry: nothing changes for anyone.
    assert {entry_action(e) for e in report["entries"]} == {"unchanged"}


def test_a_household_that_moves_is_still_reported_as_updated(boi_api, hr_file):
    sync(boi_api, hr_file)
    moved = hr_file[5]
    moved["household"]["householdLocations"][0]["address"]["fullStreetAddress"] = "77 Main St NE"

    _, report = validated(boi_api, hr_file)

    entry = next(e for e in report["entries"] if e["staffNumber"] == moved["staffNumber"])
    assert entry["household"]["action"] == "update"
    assert entry_action(entry) == "update"
