"""The Business Office console against the Campus sandbox over HTTP, with a real worker.

PostgreSQL, Redis and a Celery worker process (``celery_worker``): the console's jobs
(row check, start → transfer → end transfer → validate, commit, the commit job's polling)
and the sandbox's own commit job all run on that worker; the console reaches the sandbox's
BOI API on the live server with an OAuth2 client that has the ``boi.readwrite`` scope.

The HR files come from ``boi.samples``: 1,200 staff with 30 bad rows, then a 200-row
change file for the first 200 of them. What Campus must hold afterwards is worked out from
the generated rows and the demo mapping tables, not from what the console sent.
"""

import csv
import io
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from boi.hrfile.template import ADDRESS_FIELD_OF
from boi.models import BoiConnection, HrImport, SyncRun, SyncStaff
from boi.rules.addresses import normalize_address
from boi.samples import DEMO_MAPPINGS, bad_rows, change_of, sample_csv, sample_rows
from boi.services.connections import campus_lists_fetch, mapping_save
from sandbox import faults
from sandbox.models import (
    BOI_SCOPE,
    Address,
    DistrictAssignment,
    HouseholdLocation,
    Identity,
    Person,
)
from sandbox.services.clients import api_client_create
from sandbox.services.seed import district_seed
from tests.boi.conftest import passkey_check_in_session
from tests.conftest import wait_for

pytestmark = pytest.mark.integration

SEED = 7
ROWS, BAD, CHANGED = 1_200, 30, 200


@pytest.fixture
def sandbox_connection(live_server, settings, transactional_db):
    """A sandbox district, an HR API client with only the BOI scope, and the console's
    connection to it with the demo mapping tables. URLs are absolute (the worker does not
    see settings changed here)."""
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=20, students=10, seed=5, actor="tests")
    faults.faults_clear(actor="tests")
    _, creds = api_client_create(name="HR system", actor="tests", scopes=BOI_SCOPE)
    assert creds["token_url"].startswith(live_server.url)
    connection = BoiConnection.objects.create(
        name="Campus sandbox",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=creds["token_url"],
        base_url=f"{live_server.url}/sandbox/campus/api/boi/v1/",
        scope=BOI_SCOPE,
    )
    campus_lists_fetch(connection=connection, actor="tests")
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, campus in table.items():
            assignment, title, description = campus if kind == "job" else (campus, "", "")
            mapping_save(
                connection=connection,
                kind=kind,
                hr_value=hr_value,
                campus_value=assignment,
                title_code=title,
                title_description=description,
                actor="tests",
            )
    yield connection
    cache.clear()


# --- driving the console as an HR operator ---------------------------------------------------


def upload_and_check(client, connection, data: bytes, name: str) -> HrImport:
    response = client.post(
        f"/boi/connections/{connection.id}/import/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert response.status_code == 302, response.content[:500]
    hr_import = HrImport.objects.get(file_name=name)
    columns = {f"col_{i}": header for i, header in enumerate(hr_import.headers)}
    # The samples are one row per staff member, with a spoiled row that repeats another's
    # staff number: said so on the mapping step, it stays a "duplicate staff number" error
    # (found out from the rows, the two would be read as one person's two positions).
    columns["layout"] = "per_staff"
    response = client.post(f"/boi/imports/{hr_import.id}/columns/", columns)
    assert response.status_code == 302
    wait_for(
        lambda: HrImport.objects.filter(id=hr_import.id, status__in=["checked", "failed"]).exists(),
        timeout=120,
    )
    hr_import.refresh_from_db()
    assert hr_import.status == HrImport.Status.CHECKED, hr_import.problem
    return hr_import


def sync_until_validated(client, hr_import: HrImport) -> SyncRun:
    response = client.post(f"/boi/imports/{hr_import.id}/sync/")
    assert response.status_code == 302 and "/boi/runs/" in response.url, response.url
    run = SyncRun.objects.get(hr_import=hr_import)

    def settled():
        run.refresh_from_db()
        return run.job == SyncRun.Job.FAILED or (
            run.state == SyncRun.State.VALIDATED and run.job == SyncRun.Job.IDLE
        )

    wait_for(settled, timeout=300, interval=0.5)
    assert run.job != SyncRun.Job.FAILED, f"{run.step}: {run.last_error}"
    return run


def commit_and_wait(client, user, run: SyncRun, *, step_up_needed: bool) -> SyncRun:
    response = client.post(f"/boi/runs/{run.id}/commit/")
    if step_up_needed:
        assert response.url.startswith("/stepup/authenticate/")  # no fresh passkey check
        passkey_check_in_session(client.session, user)  # simulated: see its docstring
        response = client.get(f"/boi/runs/{run.id}/commit/resume/")  # where the check returns
    assert response.url == f"/boi/runs/{run.id}/"

    def settled():
        run.refresh_from_db()
        return run.job == SyncRun.Job.FAILED or run.state == SyncRun.State.COMMITTED

    wait_for(settled, timeout=300, interval=0.5)
    assert run.state == SyncRun.State.COMMITTED, f"{run.step}: {run.last_error}"
    return run


# --- what Campus must hold ---------------------------------------------------------------------


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def address_key(row: dict) -> str:
    sent = {ADDRESS_FIELD_OF[c]: v for c, v in row.items() if c in ADDRESS_FIELD_OF and v}
    if sent.pop("postOfficeBox", None):
        sent["postOfficeBox"] = True
    address, errors = normalize_address(sent)
    assert address is not None and not errors, (row["staff_number"], errors)
    return address.key


def expected_staff(row: dict) -> dict:
    positions = set()
    for n in (1, 2, 3):
        suffix = "" if n == 1 else f"_{n}"
        location = row[f"location{suffix}"]
        if not location:
            continue
        assignment, title, _ = DEMO_MAPPINGS["job"][row[f"job_code{suffix}"]]
        positions.add(
            (
                DEMO_MAPPINGS["location"][location],
                assignment or None,
                title or None,
                _day(row[f"position_start_date{suffix}"]),
                _day(row[f"position_end_date{suffix}"]),
            )
        )
    return {
        "names": (row["first_name"], row["middle_name"], row["last_name"]),
        "positions": positions,
        "address": address_key(row),
    }


def campus_staff(numbers) -> dict[str, dict]:
    """What the sandbox holds for these staff numbers, in ``expected_staff``'s shape."""
    people = {p.staff_number: p for p in Person.objects.filter(staff_number__in=numbers)}
    held = {}
    for number, person in people.items():
        identities = list(Identity.objects.filter(person=person).order_by("id"))
        current = [i for i in identities if i.is_current]
        assert len(current) == 1, number
        positions = {
            (
                a.school.number,
                a.assignment_code.code if a.assignment_code else None,
                a.title_code.code if a.title_code else None,
                a.start_date,
                a.end_date,
            )
            for a in DistrictAssignment.objects.filter(person=person).select_related(
                "school", "assignment_code", "title_code"
            )
        }
        locations = HouseholdLocation.objects.filter(
            household__members__person=person, end_date__isnull=True
        ).select_related("address")
        held[number] = {
            "names": (current[0].first_name, current[0].middle_name, current[0].last_name),
            "positions": positions,
            "address": [loc.address.match_key for loc in locations],
            "identities": len(identities),
        }
    return held


def assert_campus_holds(expected: dict[str, dict], identities: dict[str, int]) -> None:
    synced = Person.objects.filter(staff_number__startswith="H")
    per_number = Counter(synced.values_list("staff_number", flat=True))
    assert set(per_number) == set(expected)  # exactly the expected staff …
    assert max(per_number.values()) == 1  # … each once
    held = campus_staff(list(expected))
    wrong = {
        number: (held[number], want)
        for number, want in expected.items()
        if held[number]["names"] != want["names"]
        or held[number]["positions"] != want["positions"]
        or held[number]["address"] != [want["address"]]
        or held[number]["identities"] != identities[number]
    }
    assert not wrong, list(wrong.items())[:3]
    # One Campus address per distinct address, however many spellings the files used.
    keys = {want["address"] for want in expected.values()}
    per_key = Counter(
        Address.objects.filter(match_key__in=keys).values_list("match_key", flat=True)
    )
    assert set(per_key) == keys
    assert [k for k, n in per_key.items() if n > 1] == []


# --- the test ------------------------------------------------------------------------------------


def test_an_hr_file_and_then_a_change_file_reach_campus_exactly(
    client, hr_operator, sandbox_connection, celery_worker
):
    client.force_login(hr_operator)
    first = list(sample_rows(ROWS, bad=BAD, seed=SEED))
    spoiled = bad_rows(ROWS, BAD, seed=SEED)
    assert len(spoiled) == BAD

    # 1. The 1,200-row file: 30 bad rows listed by row, column and problem.
    hr_import = upload_and_check(
        client, sandbox_connection, sample_csv(ROWS, bad=BAD, seed=SEED), "hr-full.csv"
    )
    assert (hr_import.row_count, hr_import.error_row_count) == (ROWS, BAD)
    listed = list(
        csv.DictReader(
            io.StringIO(client.get(f"/boi/imports/{hr_import.id}/errors.csv").content.decode())
        )
    )
    by_line: dict[int, set[tuple[str, str]]] = {}
    for line in listed:
        by_line.setdefault(int(line["row"]), set()).add((line["column"], line["code"]))
    assert set(by_line) == {i + 2 for i in spoiled}  # CSV line = data row + header
    expected_problem = {
        "missing_name": ("last_name", "required"),
        "bad_date": ("birth_date", "invalid"),
        "unmapped_location": ("location", "unmapped"),
        "duplicate": ("staff_number", "duplicate"),
    }
    for i, kind in spoiled.items():
        if kind in expected_problem:
            assert expected_problem[kind] in by_line[i + 2], (i, kind, by_line[i + 2])
        else:  # both address forms, or a PO box with a street
            assert any(column.startswith("address_") for column, _ in by_line[i + 2])
    page = client.get(f"/boi/imports/{hr_import.id}/")
    assert b'id="error-rows">30<' in page.content

    client.post(f"/boi/imports/{hr_import.id}/exclude-bad/")
    hr_import.refresh_from_db()
    assert hr_import.excluded_count == BAD

    # 2. The 1,170 good rows: transferred, validated, committed through the commit job.
    run = sync_until_validated(client, hr_import)
    good = ROWS - BAD
    assert run.staff_count == good
    assert SyncStaff.objects.filter(run=run).count() == good
    assert run.report_summary["add"] == good and run.report_summary["error"] == 0
    assert run.stage_seconds.keys() >= {"start", "transfer", "end_transfer", "validate"}
    run = commit_and_wait(client, hr_operator, run, step_up_needed=True)
    assert run.commit_mode == "commitJob" and run.campus_job_id
    assert (run.succeeded_count, run.failed_count) == (good, 0)
    assert SyncStaff.objects.filter(run=run, outcome="succeeded").count() == good
    expected = {
        r["staff_number"]: expected_staff(r) for i, r in enumerate(first) if i not in spoiled
    }
    assert len(expected) == good
    spellings = {
        tuple(r[c] for c in ADDRESS_FIELD_OF) for i, r in enumerate(first) if i not in spoiled
    }
    keys = {want["address"] for want in expected.values()}
    assert len(spellings) > 2 * len(keys)  # the file writes most addresses several ways
    assert_campus_holds(expected, identities=dict.fromkeys(expected, 1))

    # 3. The 200-row change file: the synchronous commit, per-staff results.
    second = list(sample_rows(CHANGED, changed_from=SEED))
    change_import = upload_and_check(
        client, sandbox_connection, sample_csv(CHANGED, changed_from=SEED), "hr-changes.csv"
    )
    assert (change_import.row_count, change_import.error_row_count) == (CHANGED, 0)
    run = sync_until_validated(client, change_import)
    known = {r["staff_number"] for r in second} & set(expected)
    changed = {r["staff_number"] for i, r in enumerate(second) if change_of(i)}
    assert run.report_summary["update"] == len(known & changed)
    assert run.report_summary["unchanged"] == len(known - changed)  # their households too
    assert run.report_summary["add"] == CHANGED - len(known)  # rows that were bad before
    renamed = {r["staff_number"] for i, r in enumerate(second) if change_of(i) == "name"}
    assert run.report_summary["newIdentity"] == len(renamed & known)
    # The passkey check made for the first commit is still fresh (BOI_COMMIT_STEPUP_MAX_AGE).
    run = commit_and_wait(client, hr_operator, run, step_up_needed=False)
    assert run.commit_mode == "commit"
    assert (run.succeeded_count, run.failed_count) == (CHANGED, 0)
    assert SyncStaff.objects.filter(run=run, outcome="succeeded").count() == CHANGED

    identities = dict.fromkeys(expected, 1)
    for row in second:
        number = row["staff_number"]
        expected[number] = expected_staff(row)
        identities[number] = 2 if number in renamed & known else 1
    moved = [i for i in range(CHANGED) if change_of(i) == "moved" and i not in spoiled]
    assert moved and all(address_key(second[i]) != address_key(first[i]) for i in moved)
    assert_campus_holds(expected, identities)
    today = timezone.localdate()
    ended = Identity.objects.filter(
        person__staff_number__in=renamed & known, is_current=False
    ).values_list("end_date", flat=True)
    assert set(ended) == {today - timedelta(days=1)}
    assert (
        not Person.objects.filter(staff_number__startswith="H")
        .annotate(n=Count("household_memberships"))
        .filter(n__gt=1)
        .exists()
    )
