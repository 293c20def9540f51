"""Two HR exports as district HR systems write them, from upload to committed in Chromium.

``tests/boi/data/skyward_staff_positions.csv`` is Skyward-like: Windows-1252, MM/DD/YYYY,
dashed SSNs, a quoted comma ("Whitfield, Jr."), one row per position with a person's rows
scattered through the file, an Address 2 column, a PO box number column, and a staff
member with 5 positions. ``tests/boi/data/munis_jobs.csv`` is Munis-like: UTF-8 with a
byte-order mark, one row per job, original hire / last hire / termination columns (a
rehire). Neither file is edited: the columns are the console's own suggestions, the HR
codes are chosen from Campus's lists on the code mapping page, pre-flight runs, the sync
is started, validated and committed after a real passkey check. Campus is then read back
through the BOI API (the console's client, not the sandbox's tables).
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from boi.client import client_for
from boi.hrfile.column_map import suggest_column_map
from boi.models import BoiConnection
from boi.services.connections import campus_lists_fetch
from sandbox.models import BOI_SCOPE
from sandbox.services.clients import api_client_create
from sandbox.services.seed import district_seed
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
STEP_UP = re.compile(r".*/stepup/authenticate/\?next=")
RUN = re.compile(r".*/boi/runs/\d+/$")

# HR code → the Campus value the operator picks from Campus's lists.
SKYWARD_CODES = {
    "school number": {"DO": "010", "ELEM1": "020", "MS": "030", "HS": "040"},
    "assignment code": {
        "PARA": "40",
        "TCHR": "20",
        "SPED": "21",
        "APRIN": "11",
        "PRIN": "10",
        "CNSL": "30",
    },
}
MUNIS_CODES = {
    "school number": {"100": "010", "200": "020", "300": "030", "400": "040"},
    "assignment code": {"1010": "20", "2040": "40", "3100": "10"},
}


def _rows(path: Path, encoding: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def _iso(us_date: str) -> str:
    month, day, year = us_date.split("/")
    return f"{year}-{month}-{day}" if us_date else ""


def _positions_in_file(rows, number, school, job, start, end, codes) -> dict[str, set]:
    """Staff number → {(school number, assignment code, start, end)}, as the file says."""
    out: dict[str, set] = {}
    for row in rows:
        out.setdefault(row[number], set()).add(
            (
                codes["school number"][row[school]],
                codes["assignment code"][row[job]],
                _iso(row[start]),
                _iso(row[end]) if row[end] else None,
            )
        )
    return out


@pytest.fixture
def connection(live_server, settings, transactional_db):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=10, students=5, seed=5, actor="tests")
    _, creds = api_client_create(name="HR system", actor="tests", scopes=BOI_SCOPE)
    connection = BoiConnection.objects.create(
        name="Campus sandbox",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=creds["token_url"],
        base_url=f"{live_server.url}/sandbox/campus/api/boi/v1/",
        scope=BOI_SCOPE,
    )
    campus_lists_fetch(connection=connection, actor="tests")
    yield connection
    cache.clear()


def _error_rows(page, count: int) -> None:
    page.locator("#error-rows").filter(has_text=re.compile(rf"^\s*{count}\s*$")).wait_for()


def _upload_and_map_as_suggested(page, base, connection, path: Path) -> list[str]:
    """Upload the file and check it with the suggested columns; the headers as read."""
    page.goto(f"{base}/boi/connections/{connection.id}/import/")
    page.get_by_label("HR export").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    form = page.locator("#column-map")
    form.wait_for()
    headers = [label.inner_text() for label in form.locator(".cols label").all()]
    chosen = [select.input_value() for select in form.locator(".cols select").all()]
    suggested = suggest_column_map(headers)
    assert len(suggested) == len(headers), set(headers) - set(suggested)  # every column
    assert chosen == [suggested[h] for h in headers]  # the page offers them as chosen
    page.get_by_role("button", name="Check the rows").click()
    return headers


def _pick_codes(page, codes: dict[str, dict[str, str]]) -> None:
    page.locator("#map-codes").click()
    rows = page.locator("#code-mapping tbody tr")
    assert rows.count() == sum(len(table) for table in codes.values())
    for label, table in codes.items():
        for hr_code, campus in table.items():
            page.get_by_label(f"Campus {label} for {hr_code}", exact=True).select_option(campus)
    page.get_by_role("button", name="Save the mappings and check the file again").click()


def _preflight_and_sync(page, staff: int) -> str:
    page.locator("#preflight").click()
    summary = page.locator("#preflight-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert re.search(rf"Staff missing in Campus \(will be added\)\s+{staff}\b", text)
    assert re.search(r"Likely duplicates\s+0\b", text)
    page.get_by_role("button", name="Start a synchronization").click()
    page.wait_for_url(RUN)
    page.locator("#run-state", has_text="Validated").wait_for()
    return page.url


def _commit_after_passkey_check(page, run_url: str, staff: int) -> None:
    commit = page.get_by_role("button", name=f"Commit {staff} staff to Campus")
    commit.click()
    page.wait_for_load_state()
    if STEP_UP.match(page.url):  # the check is fresh for a few minutes: asked once
        page.get_by_role("button", name="Use your passkey").click()
        page.wait_for_url(run_url)
        if page.locator("#results-summary").count() == 0:
            commit.click()
    page.locator("#results-summary", has_text=f"{staff} staff succeeded, 0 failed").wait_for()


def _held_position(p: dict) -> tuple:
    end = p.get("endDate") or None
    return (p["schoolNumber"], p.get("assignmentCode") or "", p["startDate"], end)


def _campus_holds(connection, positions: dict[str, set], employments: dict[str, list]) -> None:
    client = client_for(connection)
    for number, expected in positions.items():
        [held] = client.find_staff(number)
        in_campus = {_held_position(p) for p in held["positions"]}
        assert in_campus == expected, number
        kept = sorted((e["hireDate"], e.get("terminationDate") or "") for e in held["employments"])
        assert kept == employments[number], number


def test_a_skyward_and_a_munis_export_go_from_upload_to_committed_as_exported(
    page, live_server, connection, hr_operator
):
    base = live_server.url
    staff_onboarded_with_passkey(page, work_email=hr_operator.email)
    dashboard_session(page, base, hr_operator)

    skyward = DATA / "skyward_staff_positions.csv"
    headers = _upload_and_map_as_suggested(page, base, connection, skyward)
    assert "Address 2" in headers and "PO Box Number" in headers
    _error_rows(page, 4)  # 10 rows, 4 staff members: each has a code Campus lacks
    _pick_codes(page, SKYWARD_CODES)
    _error_rows(page, 0)
    run_url = _preflight_and_sync(page, staff=4)
    _commit_after_passkey_check(page, run_url, staff=4)

    rows = _rows(skyward, "cp1252")
    positions = _positions_in_file(
        rows,
        "Employee Number",
        "Building",
        "Position Code",
        "Position Start Date",
        "Position End Date",
        SKYWARD_CODES,
    )
    assert len(positions["30101"]) == 5
    _campus_holds(
        connection,
        positions,
        {
            "30101": [("2008-08-26", "")],
            "30102": [("1995-08-20", "")],
            "30103": [("2023-08-28", "")],
            "30104": [("2005-08-22", "2024-06-30")],
        },
    )
    client = client_for(connection)
    [whitfield] = client.find_staff("30102")
    assert whitfield["lastName"] == "Whitfield, Jr."
    address = whitfield["household"]["householdLocations"][0]["address"]
    assert (address["postOfficeBox"], address["number"]) == (True, "54")
    [munoz] = client.find_staff("30101")
    assert (munoz["firstName"], munoz["lastName"]) == ("José", "Muñoz")
    assert munoz["household"]["householdLocations"][0]["address"]["apt"] == "2B"

    munis = DATA / "munis_jobs.csv"
    assert munis.read_bytes().startswith(b"\xef\xbb\xbf")
    _upload_and_map_as_suggested(page, base, connection, munis)
    _error_rows(page, 4)
    _pick_codes(page, MUNIS_CODES)
    _error_rows(page, 0)
    run_url = _preflight_and_sync(page, staff=4)
    _commit_after_passkey_check(page, run_url, staff=4)

    rows = _rows(munis, "utf-8-sig")
    positions = _positions_in_file(
        rows,
        "EMPLOYEE NUMBER",
        "LOCATION",
        "JOB CLASS",
        "JOB START DATE",
        "JOB END DATE",
        MUNIS_CODES,
    )
    _campus_holds(
        connection,
        positions,
        {
            "000512": [("2004-08-23", "2011-06-10"), ("2019-08-20", "")],  # the rehire
            "000513": [("2015-07-01", "")],
            "000514": [("2017-08-15", "")],
            "000515": [("2010-08-20", "2023-06-30")],
        },
    )
