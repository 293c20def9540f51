"""HR import: upload, column mapping, row checks, duplicates, excluding bad rows."""

import io

import pytest

from boi import storage
from boi.models import HrImport, HrRow
from boi.services import ConsoleError
from boi.services.imports import hr_import_map_columns, hr_import_upload, hr_rows_exclude_bad
from boi.services.sync.runs import sync_readiness
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db


def test_a_good_file_is_checked_into_rows_with_the_ssn_encrypted(upload):
    hr_import = upload(hr_csv([good_row(1), good_row(2)]))
    assert hr_import.status == HrImport.Status.CHECKED
    assert (hr_import.row_count, hr_import.error_row_count) == (2, 0)
    row = HrRow.objects.get(hr_import=hr_import, staff_number="E00001")
    assert row.row_number == 2
    assert str(row.ssn) == "•••••0001"
    assert row.staff_payload()["ssn"] == "123-45-0001"
    assert "ssn" not in row.payload
    assert sync_readiness(hr_import) == []


def test_the_file_at_rest_is_encrypted(upload):
    hr_import = upload(hr_csv([good_row(1)]))
    raw = (storage.upload_dir() / hr_import.storage_name).read_bytes()
    # "," is not in the tokens' base64 alphabet: these cannot turn up by chance.
    assert b"123-45-0001" not in raw and b"E00001,Ng" not in raw


def test_bad_rows_are_listed_by_row_column_and_problem(upload):
    bad = "E00009,,Bo,Q,12,1980-13-01,2020-08-01,NOWHERE,TCH,2020-08-01,1 Main St,Blaine,MN,55123"
    hr_import = upload(hr_csv([good_row(1), bad]))
    assert hr_import.error_row_count == 1
    row = HrRow.objects.get(hr_import=hr_import, row_number=3)
    found = {(e["column"], e["code"]) for e in row.errors}
    assert {
        ("last_name", "required"),
        ("sex", "unmapped"),
        ("ssn", "invalid"),
        ("birth_date", "invalid"),
        ("location", "unmapped"),
    } <= found
    assert hr_import.unmapped == {"location": {"NOWHERE": 1}, "sex": {"Q": 1}}
    assert sync_readiness(hr_import)


def test_duplicate_staff_numbers_in_the_file_are_errors_on_every_copy(upload):
    hr_import = upload(hr_csv([good_row(1), good_row(2), good_row(1, last="Other")]))
    dupes = HrRow.objects.filter(hr_import=hr_import, has_errors=True).order_by("row_number")
    assert [r.row_number for r in dupes] == [2, 4]
    assert "also on row(s) 4" in dupes[0].errors[-1]["message"]


def test_excluding_the_bad_rows_lets_the_good_ones_go_on(upload):
    hr_import = upload(hr_csv([good_row(1), "E2,,,,,,,,,,,,,"]))
    assert sync_readiness(hr_import)
    assert hr_rows_exclude_bad(hr_import=hr_import, actor="test") == 1
    hr_import.refresh_from_db()
    assert hr_import.excluded_count == 1
    assert sync_readiness(hr_import) == []


def test_an_unreadable_file_changes_nothing(ready_connection):
    stored = storage.store([b""])
    with pytest.raises(ConsoleError):
        hr_import_upload(connection=ready_connection, file_name="x.csv", stored=stored, actor="t")
    assert not HrImport.objects.exists()
    assert not (storage.upload_dir() / stored.name).exists()


def test_a_file_broken_half_way_keeps_no_rows(upload):
    good = ",".join(
        f'{{"staff_number": "E{n}", "last_name": "Ng", "first_name": "A", "sex": "F"}}'
        for n in range(60)
    )
    hr_import = upload(f'[{good}, {{"staff'.encode(), name="hr.json")
    assert hr_import.status == HrImport.Status.FAILED
    assert "Record 61" in hr_import.problem
    assert not HrRow.objects.filter(hr_import=hr_import).exists()


def test_columns_named_differently_are_mapped_by_the_operator(
    ready_connection, django_capture_on_commit_callbacks
):
    data = b"Emp No;Family;Given;Gender Code\nE1;Ng;Ana;F\n"
    stored = storage.store(io.BytesIO(data))
    hr_import = hr_import_upload(
        connection=ready_connection, file_name="export.txt", stored=stored, actor="t"
    )
    assert hr_import.headers == ["Emp No", "Family", "Given", "Gender Code"]
    with pytest.raises(ConsoleError, match="staff_number"):
        hr_import_map_columns(hr_import=hr_import, column_map={"Family": "last_name"}, actor="t")
    with django_capture_on_commit_callbacks(execute=True):
        hr_import_map_columns(
            hr_import=hr_import,
            column_map={
                "Emp No": "staff_number",
                "Family": "last_name",
                "Given": "first_name",
                "Gender Code": "sex",
            },
            actor="t",
        )
    hr_import.refresh_from_db()
    assert (hr_import.status, hr_import.row_count, hr_import.error_row_count) == ("checked", 1, 0)


def test_windows_1252_json_with_nested_positions(upload):
    text = (
        '[{"staff_number": "E1", "last_name": "Muñoz", "first_name": "José", "sex": "M", '
        '"positions": [{"location": "HS1", "job_code": "TCH", "start_date": "2020-01-01"},'
        '{"location": "010", "job_code": "COACH", "start_date": "2021-01-01"}]}]'
    )
    hr_import = upload(text.encode("cp1252"), name="hr.json")
    assert hr_import.encoding == "cp1252"
    row = HrRow.objects.get(hr_import=hr_import)
    assert row.last_name == "Muñoz" and not row.errors
    assert [p.get("titleCode") for p in row.payload["positions"]] == ["T100", "T900"]


def test_the_upload_page_says_to_fetch_campus_lists_before_a_file_is_chosen(
    login, hr_operator, ready_connection
):
    """Without Campus's lists an upload is refused; the page says so (and where to fetch
    them) before the operator picks a file, with the upload button disabled."""
    client = login(hr_operator)
    lists = ready_connection.campus_lists
    ready_connection.campus_lists = {}
    ready_connection.save(update_fields=["campus_lists"])
    page = client.get(f"/boi/connections/{ready_connection.id}/import/").content.decode()
    assert "have not been fetched" in page
    assert f'href="/boi/connections/{ready_connection.id}/"' in page
    assert 'aria-describedby="upload-why">Upload and continue' in page
    ready_connection.campus_lists = lists
    ready_connection.save(update_fields=["campus_lists"])
    page = client.get(f"/boi/connections/{ready_connection.id}/import/").content.decode()
    assert "have not been fetched" not in page and "disabled" not in page


def test_the_upload_page_stores_the_file_encrypted_and_shows_the_columns(
    login, hr_operator, ready_connection, django_capture_on_commit_callbacks
):
    client = login(hr_operator)
    data = io.BytesIO(hr_csv([good_row(1)]))
    data.name = "hr.csv"
    response = client.post(f"/boi/connections/{ready_connection.id}/import/", {"file": data})
    hr_import = HrImport.objects.get()
    assert response.status_code == 302 and response.url == f"/boi/imports/{hr_import.id}/"
    page = client.get(response.url)
    assert b"Column mapping" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/boi/imports/{hr_import.id}/columns/",
            {f"col_{i}": v for i, v in enumerate(hr_import.headers)},
        )
    hr_import.refresh_from_db()
    assert hr_import.status == "checked"
    assert client.get(f"/boi/imports/{hr_import.id}/progress/").json()["rows"] == 1


def test_the_template_documents_every_column(login, auditor):
    client = login(auditor)
    header = client.get("/boi/template.csv").content.decode().splitlines()[0]
    assert header.startswith("staff_number,last_name,first_name")
    assert "address_full" in header and "position_start_date_3" in header
    assert b"address_po_box" in client.get("/boi/template/").content
