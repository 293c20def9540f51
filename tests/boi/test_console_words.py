"""The console speaks HR's words: staff records as labelled summaries (SSN masked), no
API names, no dicts, no "None", figures with their units; alerts say added / updated /
unchanged / failed as Campus did it."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from boi.models import Alert, ErrorLogEntry, MappingValue, SyncRun, SyncStaff
from boi.services.errorlog import masked_payload
from boi.services.sync.commit import sync_commit_request
from boi.services.sync.runs import sync_run_create
from boi.services.sync.validate import entry_action
from boi.services.sync.words import (
    call_in_words,
    count_of,
    outcome_words,
    report_entry_lines,
    staff_summary,
    staff_summary_text,
)
from tests.boi.conftest import good_row, hr_csv

STAFF = {
    "staffNumber": "E00007",
    "firstName": "Ana",
    "lastName": "Ng",
    "gender": "F",
    "ssn": "123-45-6789",
    "birthDate": "1980-01-02",
    "employments": [
        {"hireDate": "2019-08-01", "terminationDate": "2021-06-30"},
        {"hireDate": "2023-08-01"},
    ],
    "positions": [
        {
            "schoolNumber": "030",
            "assignmentCode": "20",
            "titleCode": "T100",
            "startDate": "2020-08-01",
        },
        {
            "schoolNumber": "010",
            "titleCode": "T900",
            "titleDescription": "Varsity coach",
            "startDate": "2020-08-01",
            "endDate": "2022-06-30",
        },
    ],
    "household": {
        "householdLocations": [
            {
                "address": {
                    "number": "8484",
                    "street": "Washington",
                    "tag": "St",
                    "apt": "2",
                    "city": "Blaine",
                    "state": "MN",
                    "zip": "55434",
                }
            }
        ]
    },
}


def test_a_staff_object_reads_as_labelled_fields_and_short_lines_with_the_ssn_masked():
    summary = staff_summary(STAFF)
    assert ("Staff number", "E00007") in summary["person"]
    assert ("SSN", "***-**-6789") in summary["person"] and ("Birth date", "1980-01-02") in summary[
        "person"
    ]
    assert summary["positions"] == [
        "School 030, assignment 20, title T100, from 2020-08-01",
        "School 010, title T900 (Varsity coach), from 2020-08-01 to 2022-06-30",
    ]
    assert summary["employments"] == [
        "Hired 2019-08-01, terminated 2021-06-30",
        "Hired 2023-08-01, still employed",
    ]
    assert summary["addresses"] == ["8484 Washington St Apt 2, Blaine, MN 55434"]
    text = staff_summary_text(STAFF)
    assert "6789" in text and "123-45" not in text and "{" not in text


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ({"added": 55}, "55 staff added"),
        ({"updated": 55}, "55 staff updated"),
        (
            {"added": 3, "updated": 50, "unchanged": 2, "failed": 1},
            "3 staff added, 50 updated, 2 unchanged, 1 failed",
        ),
        ({"unchanged": 1950}, "1,950 staff unchanged"),
        ({"either": 600, "failed": 2}, "600 staff added or updated, 2 failed"),
        ({}, "no staff committed"),
    ],
)
def test_a_commit_outcome_says_added_updated_unchanged_and_failed(counts, words):
    assert outcome_words(**counts) == words


@pytest.mark.parametrize(
    ("n", "unit", "words"),
    [(1, "row", "1 row"), (12, "row", "12 rows"), (1950, "staff", "1,950 staff")],
)
def test_figures_carry_their_unit(n, unit, words):
    assert count_of(n, unit) == words


@pytest.mark.parametrize(
    ("entry", "action"),
    [
        ({"action": "add", "demographics": []}, "add"),
        (
            {
                "action": "update",
                "demographics": [{"field": "lastName", "old": "Ng", "new": "Ngo"}],
            },
            "update",
        ),
        (
            {
                "action": "update",
                "demographics": [],
                "employment": {"added": [], "updated": []},
                "districtAssignments": {
                    "added": [],
                    "updated": [],
                    "removed": [],
                    "keptLinked": [7],
                },
                "titlesToCreate": [],
                "household": {"action": "none", "reason": "no household data"},
                "addressesToAdd": [],
                "errors": [],
                "notes": [],
            },
            "unchanged",
        ),
        (
            {"action": "update", "household": {"action": "update", "reason": "staff household"}},
            "update",
        ),
        ({"action": "update", "somethingNew": [1]}, "update"),  # a shape it does not know
        ({"action": "update", "errors": [{"message": "no"}]}, "error"),
    ],
)
def test_an_update_that_changes_nothing_is_unchanged(entry, action):
    assert entry_action(entry) == action


def test_a_report_entry_reads_as_sentences():
    lines = report_entry_lines(
        {
            "staffNumber": "E1",
            "action": "update",
            "personID": 9,
            "demographics": [{"field": "lastName", "old": "Ng", "new": "Ngo"}],
            "newIdentity": True,
            "employment": {
                "added": [{"hireDate": "2024-01-02", "terminationDate": None}],
                "updated": [],
            },
            "districtAssignments": {
                "added": [],
                "updated": [
                    {"positionID": 4, "field": "endDate", "old": None, "new": "2024-06-30"}
                ],
                "removed": [5],
                "keptLinked": [6],
            },
            "addressesToAdd": [
                {
                    "number": "1",
                    "street": "Main",
                    "tag": "St",
                    "city": "Blaine",
                    "state": "MN",
                    "zip": "55434",
                }
            ],
        }
    )
    assert lines == [
        "Last name: Ng → Ngo",
        "The name change ends the current identity and starts a new one",
        "Employment added: Hired 2024-01-02, still employed",
        "Position 4: end date (blank) → 2024-06-30",
        "Position 5 removed (not in the HR file)",
        "Position 6 kept: linked to other Campus data",
        "Address to be added: 1 Main St, Blaine, MN 55434",
    ]
    assert not any(re.search(r"\b[a-z]+[A-Z]\w*|\{|None", line) for line in lines), lines


@pytest.mark.parametrize(
    ("method", "path", "words"),
    [
        ("POST", "sync/8f2a/transfer", "Send staff to Campus (transfer)"),
        ("POST", "sync/8f2a/endTransfer", "End the transfer"),
        ("POST", "staff", "Create a staff member"),
        ("PUT", "staff/E00001", "Update a staff member"),
        ("POST", "staff/E00001/positions", "Add a position"),
        ("DELETE", "weird/path", "DELETE weird/path"),
        ("JOB", "runs/1/start", "The sync's Start step (a console job)"),
        ("JOB", "runs/1/end_transfer", "The sync's End transfer step (a console job)"),
        ("JOB", "imports/7/preflight", "The pre-flight (a console job)"),
        ("JOB", "elsewhere", "A console job"),
    ],
)
def test_a_failed_call_is_named_in_words(method, path, words):
    assert call_in_words(method, path) == words


# --- every console page, rendered with seeded data --------------------------------------------

API_NAME = re.compile(r"\b[a-z]+[A-Z][A-Za-z]*\b")  # staffToAdd, commitJob, fullStreetAddress …
DEVELOPER_TEXT = re.compile(r"\{'|\{\"|\bNone\b|POST staff|new_cases|\w+_\w+_?\w*:")


class VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    # A closed <details> shows its <summary> only (the Error Log's copy for Campus support).
    HIDDEN = ("script", "style", "details")

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN
        self.hidden -= tag == "summary"

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN
        self.hidden += tag == "summary"

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def seeded(upload, fake_boi, django_capture_on_commit_callbacks, hr_operator):
    """One committed sync (a staff member refused at commit), one validated, an Error Log
    entry holding a staff batch, and an alert."""
    rows = [good_row(1), good_row(2), good_row(3, last="Failme")]
    committed = _validated(upload(hr_csv(rows)), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=committed, actor=hr_operator, verified_at=timezone.now())
    waiting = _validated(
        upload(hr_csv([good_row(1), good_row(4)])), django_capture_on_commit_callbacks
    )
    entry = ErrorLogEntry.objects.create(
        connection=committed.connection,
        run=committed,
        action="POST",
        path=f"sync/{committed.sync_id}/transfer",
        status_code=400,
        message="staff E00007: Home address: house number is required",
        payload=masked_payload([STAFF]),
    )
    bad = upload(hr_csv([good_row(5), good_row(6).replace("E00006", "E-6", 1)]))
    return {"committed": committed, "waiting": waiting, "entry": entry, "bad": bad}


def _validated(hr_import, capture):
    with capture(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    return run


def _pages(seeded):
    run, waiting, entry = seeded["committed"], seeded["waiting"], seeded["entry"]
    imp = run.hr_import
    row = imp.rows.order_by("row_number").first()
    staff = SyncStaff.objects.filter(run=run).order_by("staff_number")
    return [
        "/boi/",
        "/boi/template/",
        f"/boi/connections/{run.connection_id}/",
        f"/boi/imports/{imp.id}/",
        f"/boi/imports/{imp.id}/?show=all",
        f"/boi/imports/{imp.id}/rows/{row.id}/",
        f"/boi/runs/{run.id}/",
        f"/boi/runs/{run.id}/report/",
        f"/boi/runs/{run.id}/results/",
        *(f"/boi/runs/{run.id}/staff/{s.id}/" for s in staff),
        f"/boi/runs/{waiting.id}/",
        f"/boi/runs/{waiting.id}/report/",
        "/boi/errors/",
        f"/boi/errors/{entry.id}/",
        f"/boi/day/?connection={run.connection_id}&staff_number=E00001",
        f"/boi/imports/{seeded['bad'].id}/",
        *(f"/boi/imports/{seeded['bad'].id}/rows/{r.id}/" for r in seeded["bad"].rows.all()),
    ]


pytestmark = pytest.mark.django_db


def test_no_console_page_shows_api_names_dicts_or_none(seeded, login, hr_operator):
    client = login(hr_operator)
    for url in _pages(seeded):
        response = client.get(url)
        assert response.status_code == 200, url
        text = re.sub(r"\S+://\S+", "", visible_text(response.content.decode()))  # URLs typed in
        assert not API_NAME.findall(text), (url, API_NAME.findall(text))
        if url != "/boi/template/":  # documents the HR file formats, a JSON sample included
            assert not DEVELOPER_TEXT.findall(text), (url, DEVELOPER_TEXT.findall(text))
        assert "123-45-" not in text, url


def test_the_row_page_shows_a_readable_staff_summary(seeded, login, hr_operator):
    imp = seeded["committed"].hr_import
    row = imp.rows.get(staff_number="E00001")
    text = visible_text(
        login(hr_operator).get(f"/boi/imports/{imp.id}/rows/{row.id}/").content.decode()
    )
    assert "Staff number E00001" in text and "SSN" in text and "6789" not in text
    assert re.search(r"SSN \*\*\*-\*\*-0001", text)
    assert "School 030, assignment 20, title T100, from 2020-08-01" in text
    assert "Hired 2020-08-01, still employed" in text


def test_the_error_log_entry_names_the_staff_it_carried(seeded, login, hr_operator):
    entry = seeded["entry"]
    text = visible_text(login(hr_operator).get(f"/boi/errors/{entry.id}/").content.decode())
    assert "Send staff to Campus (transfer)" in text
    assert "Staff number E00007" in text and "SSN ***-**-6789" in text
    assert "School 010, title T900 (Varsity coach), from 2020-08-01 to 2022-06-30" in text


def test_the_commit_alert_and_email_say_added_and_failed(seeded, mailoutbox):
    alert = Alert.objects.filter(run=seeded["committed"]).get()
    assert alert.title.endswith(": 2 staff added, 1 failed"), alert.title
    assert "updated" not in alert.title


def test_the_run_page_gives_figures_with_units(seeded, login, hr_operator):
    run = seeded["waiting"]
    text = visible_text(login(hr_operator).get(f"/boi/runs/{run.id}/").content.decode())
    assert "To be added 1 staff" in text and "To be updated 1 staff" in text


def test_a_refused_mapping_form_keeps_what_was_typed(ready_connection, login, hr_operator):
    response = login(hr_operator).post(
        f"/boi/connections/{ready_connection.id}/mappings/",
        {"kind": "location", "hr_value": "HS9", "campus_value": "999"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="HS9"' in page and 'value="999"' in page and 'class="error"' in page
    assert not MappingValue.objects.filter(connection=ready_connection, hr_value="HS9").exists()


def test_campus_lists_are_counted_in_words(ready_connection, login, hr_operator):
    client = login(hr_operator)
    response = client.post(f"/boi/connections/{ready_connection.id}/lists/", follow=True)
    text = visible_text(response.content.decode())
    assert "Fetched from Campus: 3 schools, 3 genders, 3 assignment codes, 2 title codes." in text


def test_a_row_problem_names_the_field_in_words(seeded, login, hr_operator):
    bad = seeded["bad"].rows.get(has_errors=True)
    text = visible_text(
        login(hr_operator).get(f"/boi/imports/{bad.hr_import_id}/rows/{bad.id}/").content.decode()
    )
    assert "Staff number must be letters and digits only" in text


def test_the_error_log_pdf_names_the_call_and_summarizes_the_staff(seeded, login, hr_operator):
    import zlib

    response = login(hr_operator).get("/boi/errors.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", response.content, re.S)
    content = b"".join(_inflate(zlib, s) for s in streams).decode("latin-1")
    shown = re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", content)  # the PDF's text lines
    text = " ".join(re.sub(r"\\(.)", r"\1", line) for line in shown)
    assert "Send staff to Campus (transfer)" in text
    assert "Staff number: E00007" in text and "SSN: ***-**-6789" in text
    assert "123-45-6789" not in text and '"staffNumber"' not in text


def _inflate(zlib, stream: bytes) -> bytes:
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return stream


def test_the_console_home_names_a_running_step_and_counts_staff(seeded, login, hr_operator):
    run = seeded["waiting"]
    run.job, run.step = SyncRun.Job.RUNNING, "end_transfer"
    run.save(update_fields=["job", "step"])
    text = visible_text(login(hr_operator).get("/boi/").content.decode())
    assert f"Sync {run.id}" in text and "Running (End transfer)" in text
    assert "2 staff succeeded, 1 failed" in text and "end_transfer" not in text


def test_a_refused_column_mapping_comes_back_as_chosen(ready_connection, login, hr_operator):
    import io

    from boi import storage
    from boi.services.imports import hr_import_upload

    stored = storage.store(io.BytesIO(hr_csv([good_row(1)])))
    hr_import = hr_import_upload(
        connection=ready_connection, file_name="hr.csv", stored=stored, actor="test"
    )
    chosen = {f"col_{i}": header for i, header in enumerate(hr_import.headers)}
    chosen |= {"col_0": "", "col_1": "middle_name", "layout": "per_staff"}  # no staff number
    client = login(hr_operator)
    page = client.post(f"/boi/imports/{hr_import.id}/columns/", chosen, follow=True)
    html = page.content.decode()
    assert "Map a file column to each required column" in html
    select = re.search(r'<select name="col_1".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="middle_name" selected>', select)
    select = re.search(r'<select name="col_0".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="" selected>', select)
    again = client.get(f"/boi/imports/{hr_import.id}/").content.decode()  # shown once
    select = re.search(r'<select name="col_1".*?</select>', again, re.S).group(0)
    assert not re.search(r'<option value="middle_name" selected>', select)
