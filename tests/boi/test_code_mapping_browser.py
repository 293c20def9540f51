"""The code mapping page in Chromium: 99 unmapped HR locations mapped in one submit."""

import pytest

from boi.models import HrImport, MappingValue
from tests.boi.conftest import hr_csv
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser

CODES = 99


def _row(n: int) -> str:
    return (
        f"E{n:05d},Ng,Ana{n},F,123-45-{n:04d},1980-01-01,2020-08-01,SITE-{n:03d},TCH,"
        "2020-08-01,4321 North Lexington Avenue,Blaine,MN,55123"
    )


def test_an_operator_maps_99_locations_on_one_page_and_the_file_checks_clean(
    page, live_server, transactional_db, ready_connection, hr_operator, tmp_path
):
    base = live_server.url
    dashboard_session(page, base, hr_operator)  # dashboard sign-in is with a passkey

    path = tmp_path / "hr-sites.csv"
    path.write_bytes(hr_csv([_row(n) for n in range(1, CODES + 1)]))
    page.goto(f"{base}/boi/connections/{ready_connection.id}/import/")
    page.get_by_label("HR export").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Check the rows").click()
    page.locator("#error-rows", has_text=str(CODES)).wait_for()

    page.locator("#map-codes").click()
    rows = page.locator("#code-mapping tbody tr")
    assert rows.count() == CODES
    assert "1 row" in rows.first.inner_text()
    for i in range(CODES):  # each from the pick-list of Campus's schools
        label = f"Campus school number for SITE-{i + 1:03d}"
        page.get_by_label(label, exact=True).select_option(["010", "020", "030"][i % 3])
    page.get_by_role("button", name="Save the mappings and check the file again").click()

    page.locator("#error-rows", has_text="0").wait_for()
    assert page.get_by_text(f"{CODES} code mappings saved; 0 codes left unmapped.").is_visible()
    locations = MappingValue.objects.filter(connection=ready_connection, kind="location")
    assert locations.exclude(hr_value="HS1").count() == CODES
    assert locations.get(hr_value="SITE-002").campus_value == "020"
    hr_import = HrImport.objects.get()
    assert hr_import.unmapped == {} and hr_import.error_row_count == 0
