"""Names from the HR file are shown as text on every console page and in the error-log
PDF (stored XSS through an HR export)."""

import pytest

from boi.models import HrRow
from boi.services.sync.runs import sync_run_create
from tests.boi.conftest import good_row, hr_csv
from tests.staff.test_attack_stored_markup import assert_shown_as_text

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"


def test_an_hr_name_with_markup_is_text_on_every_console_page(
    upload, fake_boi, django_capture_on_commit_callbacks, login, auditor
):
    bad = good_row(2).replace("Ana2", MARKUP).replace("1980-01-03", "someday")
    hr_import = upload(hr_csv([good_row(1).replace("Ana1", MARKUP), bad]))
    row = HrRow.objects.get(hr_import=hr_import, row_number=3)
    HrRow.objects.filter(id=row.id).update(is_excluded=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    client = login(auditor)
    staff = run.staff.first()
    pages = [
        f"/boi/imports/{hr_import.id}/",
        f"/boi/imports/{hr_import.id}/?q=img",
        f"/boi/imports/{hr_import.id}/rows/{row.id}/",
        f"/boi/runs/{run.id}/",
        f"/boi/runs/{run.id}/report/",
        f"/boi/runs/{run.id}/report/?q=%3Cimg",
        f"/boi/runs/{run.id}/staff/{staff.id}/",
        "/boi/errors/",
        "/audit/",
    ]
    assert_shown_as_text(client, pages)


def test_an_hr_file_whose_name_and_headings_hold_markup_shows_them_as_text(
    upload, login, hr_operator
):
    rows = [good_row(1) + ",x"]
    data = hr_csv(rows).replace(b"address_zip\n", f"address_zip,{MARKUP}\n".encode(), 1)
    hr_import = upload(data, name=f"{MARKUP}.csv")
    client = login(hr_operator)
    assert_shown_as_text(
        client,
        [
            f"/boi/imports/{hr_import.id}/",
            f"/boi/imports/{hr_import.id}/codes/",
            f"/boi/connections/{hr_import.connection_id}/",
            "/boi/",
            "/boi/day/",
        ],
    )
    page = client.get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
