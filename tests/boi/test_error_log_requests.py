"""The error log keeps each failed call's whole request, compressed and SSNs masked, and
finds entries by the staff numbers their requests name."""

import json

import pytest

from boi.models import ErrorLogEntry, ErrorLogStaff
from boi.services.errorlog import MAX_PAYLOAD_CHARS, error_log_record
from idbridge.connectors.boi.types import CallFailure

pytestmark = pytest.mark.django_db

STAFF = 600  # a transfer batch far beyond what the page shows


def _staff(n: int) -> dict:
    return {
        "staffNumber": f"E{n:05d}",
        "lastName": "Ng",
        "firstName": f"Ana{n}",
        "ssn": f"123-45-{n:04d}",
        "birthDate": "1980-01-01",
        "positions": [{"schoolNumber": "010", "assignmentCode": "20", "startDate": "2020-08-01"}],
        "household": {"householdLocations": [{"address": {"fullStreetAddress": "1 Main St"}}]},
    }


@pytest.fixture
def refused_batch(boi_connection):
    failure = CallFailure(
        "POST",
        "sync/s-1/transfer",
        400,
        "staff[412].positions[0]: schoolNumber is not a Campus school",
        [_staff(n) for n in range(1, STAFF + 1)],
        True,
    )
    return error_log_record(connection=boi_connection, run=None, failure=failure)


def test_the_whole_request_is_kept_compressed_beyond_what_the_page_shows(refused_batch):
    entry = ErrorLogEntry.objects.get(id=refused_batch.id)
    assert entry.request_chars > MAX_PAYLOAD_CHARS
    assert entry.is_payload_cut and entry.payload.endswith("more characters)")
    assert len(bytes(entry.request_gz)) < entry.request_chars / 10
    assert ErrorLogStaff.objects.filter(entry=entry).count() == STAFF


def test_the_operator_downloads_the_whole_request_with_ssns_masked(
    refused_batch, login, hr_operator
):
    client = login(hr_operator)
    page = client.get(f"/boi/errors/{refused_batch.id}/").content.decode()
    assert f"/boi/errors/{refused_batch.id}/request.json" in page
    assert "Download the whole request" in page and "the page shows its first" in page
    response = client.get(f"/boi/errors/{refused_batch.id}/request.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sent = json.loads(response.content)
    assert [s["staffNumber"] for s in sent] == [f"E{n:05d}" for n in range(1, STAFF + 1)]
    assert sent[-1]["ssn"] == "***-**-0600"
    assert b"123-45-" not in response.content


def test_the_log_is_searched_by_a_staff_number_deep_inside_a_batch(
    refused_batch, login, hr_operator
):
    client = login(hr_operator)
    found = client.get("/boi/errors/", {"q": "E00413"}).content.decode()
    assert f"/boi/errors/{refused_batch.id}/" in found
    other = client.get("/boi/errors/", {"q": "E00601"}).content.decode()
    assert f"/boi/errors/{refused_batch.id}/" not in other
    assert "No errors." in other


def test_a_call_without_a_body_keeps_no_request(boi_connection, login, hr_operator):
    failure = CallFailure("GET", "staff", 503, "Campus is busy", None, False)
    entry = error_log_record(connection=boi_connection, run=None, failure=failure)
    assert (entry.payload, bytes(entry.request_gz), entry.request_chars) == ("", b"", 0)
    assert not ErrorLogStaff.objects.filter(entry=entry).exists()
    page = login(hr_operator).get(f"/boi/errors/{entry.id}/").content.decode()
    assert "Download the whole request" not in page


def test_a_viewer_without_the_console_role_cannot_download_a_request(
    refused_batch, login, outsider
):
    response = login(outsider).get(f"/boi/errors/{refused_batch.id}/request.json")
    assert response.status_code in (302, 403)
