"""Every CSV the Business Office console hands out keeps a spreadsheet from running a
name or code from the HR file as a formula (CSV injection), and the mapping tables still
import back as they were."""

import csv
import io

import pytest

from boi.models import MappingValue
from boi.services.connections import mapping_save
from boi.services.sync.runs import sync_run_create
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str) -> None:
    runnable = [c for c in _cells(text) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert runnable == []


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_run_report_shows_a_formula_in_a_name_as_text(
    upload, fake_boi, django_capture_on_commit_callbacks, login, auditor, formula
):
    name = formula.replace(",", " ")  # the HR file is a CSV itself
    hr_import = upload(hr_csv([good_row(1).replace("Ana1", name)]))
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    response = login(auditor).get(f"/boi/runs/{run.id}/report.csv")
    text = b"".join(response.streaming_content).decode()
    _assert_no_formula(text)
    assert "'" + name[:5] in text


def test_the_import_errors_show_a_formula_as_a_staff_number_as_text(upload, login, auditor):
    bad = good_row(1).replace("E00001", "=1+1").replace("1980-01-02", "not a date")
    hr_import = upload(hr_csv([bad]))
    response = login(auditor).get(f"/boi/imports/{hr_import.id}/errors.csv")
    text = response.content.decode()
    assert "'=1+1" in text
    _assert_no_formula(text)


def test_an_hr_code_that_looks_like_a_formula_is_exported_as_text_and_imports_back(
    ready_connection, login, hr_operator
):
    mapping_save(
        connection=ready_connection,
        kind="location",
        hr_value="=HS2",
        campus_value="030",
        actor="test",
    )
    client = login(hr_operator)
    exported = client.get(f"/boi/connections/{ready_connection.id}/mappings.csv").content.decode()
    assert "'=HS2" in exported
    _assert_no_formula(exported)
    MappingValue.objects.all().delete()
    data = io.BytesIO(exported.encode())
    data.name = "mappings.csv"
    client.post(f"/boi/connections/{ready_connection.id}/mappings/import/", {"file": data})
    assert MappingValue.objects.filter(kind="location", hr_value="=HS2").exists()
