"""An HR row's address is normalized once, by the row check, and read from the row after."""

import pytest

from boi.models import AddressCheck, HrRow
from boi.rules.addresses import normalize_address
from boi.services.preflight import preflight_queue
from boi.services.sync.runs import sync_run_create
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db

VARIANTS = ["4321 North Lexington Avenue", "4321 N Lexington Ave.", "4321 n. lexington ave"]
BLAINE = {"city": "Blaine", "state": "MN", "zip": "55123"}
KEY = "4321|N|LEXINGTON|AVE|||MN|55123"


def test_the_check_stores_each_rows_match_key_components_and_spelling(upload):
    hr_import = upload(hr_csv([good_row(n, address=VARIANTS[n % 3]) for n in range(3)]))
    normalized, _ = normalize_address({"fullStreetAddress": VARIANTS[0], **BLAINE})
    rows = list(HrRow.objects.filter(hr_import=hr_import).order_by("row_number"))
    assert [r.address_key for r in rows] == [KEY] * 3
    assert all(r.address_components == normalized.components() for r in rows)
    assert [r.address_spelling for r in rows] == VARIANTS


def test_preflight_groups_the_rows_by_their_stored_key_with_every_spelling(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    hr_import = upload(hr_csv([good_row(n, address=VARIANTS[n % 3]) for n in range(6)]))
    with django_capture_on_commit_callbacks(execute=True):
        preflight_queue(hr_import=hr_import, actor="test")
    [check] = AddressCheck.objects.filter(hr_import=hr_import)
    assert (check.key, check.row_count, check.checked) == (KEY, 6, True)
    assert sorted(check.spellings) == sorted(VARIANTS)
    assert check.components == HrRow.objects.filter(hr_import=hr_import)[0].address_components


def test_the_transfer_sends_the_components_stored_with_the_row(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    hr_import = upload(hr_csv([good_row(1)]))
    stored = {"number": "4321", "prefix": "N", "street": "LEXINGTON", "tag": "AVE", **BLAINE}
    HrRow.objects.filter(hr_import=hr_import).update(address_components={**stored, "apt": "9"})
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    [sent] = fake_boi.syncs[run.sync_id]["staff"]
    assert sent["household"]["householdLocations"][0]["address"] == {**stored, "apt": "9"}
