"""A connection page follows its poll live with the one progress script: words in
persons while it runs, then the counts and the last poll (district time zone) once it
finishes, without a reload."""

from datetime import UTC, datetime

import pytest

from staff import polling
from staff.models import CampusConnection
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser


def test_a_running_poll_shows_progress_and_its_end_without_a_reload(
    page, live_server, hr_operator, settings
):
    settings.TIME_ZONE = "America/Chicago"
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    running = polling.connection_claim_poll(connection.id)
    running.progress(1240, total=3000)
    dashboard_session(page, live_server.url, hr_operator)
    page.goto(f"{live_server.url}/staff/connections/{connection.id}/")
    text = page.locator("#connection-status [data-progress-text]")
    text.filter(has_text="1,240 of 3,000 persons").wait_for()
    page.evaluate("window.stillHere = true")
    CampusConnection.objects.filter(id=connection.id).update(
        last_poll_at=datetime(2026, 12, 3, 18, 5, 7, tzinfo=UTC),
        last_poll_counts={"read": 3000, "new_cases": 2},
        status=CampusConnection.Status.OK,
    )
    running.progress(3000, total=3000)
    running.succeed()
    text.filter(has_text="The poll finished.").wait_for()
    status = page.locator("#connection-status")
    assert status.locator('[data-field="last_poll_at"]').inner_text() == "2026-12-03 12:05:07 CST"
    assert status.locator('[data-field="counts"]').inner_text() == (
        "3,000 read from Campus, 2 new staff invited"
    )
    assert status.locator('[data-field="status"]').inner_text() == "OK"
    assert page.evaluate("window.stillHere") is True  # no reload
