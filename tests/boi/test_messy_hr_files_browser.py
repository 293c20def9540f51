"""Messy HR files through the upload page in Chromium, against the Campus sandbox: a file
that is not text is refused on the page in words, and Excel's "Unicode text" (UTF-16,
tab-separated) reaches the column mapping with its columns read."""

import pytest
from django.core.cache import cache

from boi.models import BoiConnection, HrImport
from boi.services.connections import campus_lists_fetch
from sandbox.models import BOI_SCOPE
from sandbox.services.clients import api_client_create
from tests.boi.conftest import good_row, hr_csv
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser


@pytest.fixture
def connection(live_server, settings, transactional_db):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
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


def test_a_renamed_binary_is_refused_on_the_page_and_unicode_text_is_read(
    page, live_server, connection, hr_operator, tmp_path
):
    dashboard_session(page, live_server.url, hr_operator)
    upload = f"{live_server.url}/boi/connections/{connection.id}/import/"
    binary = tmp_path / "staff.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8)
    page.goto(upload)
    page.get_by_label("HR export").set_input_files(str(binary))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_text("staff.csv: This is not a text file").wait_for()
    assert "Traceback" not in page.content() and not HrImport.objects.exists()

    unicode_text = tmp_path / "staff.txt"
    text = hr_csv([good_row(1, last="Núñez")]).decode().replace(",", "\t")
    unicode_text.write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    page.get_by_label("HR export").set_input_files(str(unicode_text))
    page.get_by_role("button", name="Upload and continue").click()
    form = page.locator("#column-map")
    form.wait_for()
    headers = [label.inner_text() for label in form.locator(".cols label").all()]
    assert headers[:3] == ["staff_number", "last_name", "first_name"]
    assert HrImport.objects.get().encoding == "utf-16"
