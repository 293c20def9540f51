import json
import logging

import pytest

from idbridge.core.logging import JsonFormatter, RedactingFilter, RequestIdFilter, redact_text


@pytest.mark.parametrize(
    "text,secret",
    [
        ("ssn=123-45-6789 saved", "123-45-6789"),
        ("person 123456789 imported", "123456789"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
        ("client_secret=AbC123xyz", "AbC123xyz"),
        ('{"password": "hunter2!"}', "hunter2!"),
        ("Not Found: /staff/welcome/eyJpIjo1.aBc-d_e:1x/", "eyJpIjo1.aBc-d_e:1x"),
    ],
)
def test_secrets_are_redacted_from_log_text(text, secret):
    assert secret not in redact_text(text)


def test_a_log_line_is_one_json_object_with_request_id_and_redacted_extras():
    record = logging.LogRecord(
        "idbridge.x", logging.INFO, __file__, 1, "saved %s", ("123-45-6789",), None
    )
    record.ssn = "123-45-6789"
    record.token = "abc"
    record.staff_number = "S1001"
    RequestIdFilter().filter(record)
    RedactingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "-"
    assert entry["ssn"] == "[REDACTED]"
    assert entry["token"] == "[REDACTED]"
    assert entry["staff_number"] == "S1001"
    assert "123-45-6789" not in line


def test_requests_are_logged_with_their_request_id(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="idbridge.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef12-3456")
    assert response["X-Request-ID"] == "abcdef12-3456"
    record = next(r for r in caplog.records if r.name == "idbridge.request")
    assert record.path == "/healthz"
    assert record.status == 200


def test_a_malformed_request_id_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
