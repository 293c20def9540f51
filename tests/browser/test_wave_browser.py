"""A wave of 50 existing staff, started from the dashboard at a chosen pace, run by a real
Celery worker (PostgreSQL, Redis): its progress moves on the page without a reload, it
never goes faster than its pace, it pauses (nothing is sent while paused) and resumes,
and everyone is invited exactly once."""

import re

import pytest

from idbridge.audit.models import AuditEntry
from staff.models import CampusConnection, Invitation, OnboardingCase
from staff.services.discovery import staff_records_from_campus
from staff.transitions import State
from tests.browser.test_recovery_browser import sign_in_as_hr
from tests.conftest import wait_for
from tests.staff.conftest import person

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PACE = 7200  # an hour: two a second, sent ten at a time every five seconds
STAFF = 50


def sent() -> int:
    return Invitation.objects.count()


def test_a_wave_of_50_runs_at_its_pace_with_live_progress_and_can_be_paused(
    page, live_server, celery_worker, hr_operator
):
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    persons = [person(n) for n in range(1, STAFF + 1)]
    staff_records_from_campus(connection=connection, persons=persons, baseline=True)
    assert OnboardingCase.objects.filter(state=State.EXISTING).count() == STAFF

    sign_in_as_hr(page, live_server)
    page.goto(f"{live_server.url}/staff/waves/new/")
    page.get_by_label("All existing staff").check()
    page.get_by_label("Pace", exact=True).select_option("custom")
    page.get_by_label("Invitations an hour (another pace)").fill(str(PACE))
    page.get_by_role("button", name="Start the wave").click()
    page.get_by_text(f"Wave started: {STAFF} existing staff (all existing staff)").wait_for()
    page.evaluate("window.stillHere = true")

    text = page.locator("#wave-progress [data-progress-text]")
    text.filter(has_text=re.compile(r"\b(10|20) of 50 invitations")).wait_for(timeout=30000)
    first = int(re.search(r"(\d+) of 50", text.inner_text())[1])
    text.filter(has_text=re.compile(rf"\b{first + 10} of 50 invitations")).wait_for(timeout=30000)
    assert page.evaluate("window.stillHere") is True  # it moved without a reload
    assert re.search(r"invitations/[sh] · about .+ left", text.inner_text())

    page.get_by_role("button", name="Pause").click()
    page.locator(".job-paused").wait_for()
    paused_at = sent()
    assert paused_at < STAFF
    page.wait_for_timeout(7000)  # longer than a batch's five seconds: nothing may go
    assert sent() == paused_at
    assert AuditEntry.objects.filter(action="jobs.paused", actor_label="omar_hr").exists()

    page.get_by_role("button", name="Resume").click()
    page.locator("#wave-state").filter(has_text="Finished").wait_for(timeout=60000)
    wait_for(lambda: sent() == STAFF, timeout=10, what="every invitation")
    assert not OnboardingCase.objects.filter(state=State.EXISTING).exists()
    assert all(n == 1 for n in OnboardingCase.objects.values_list("invitations_sent", flat=True))
    assert AuditEntry.objects.filter(action="staff.case.invite", actor_label="omar_hr").count() == (
        STAFF
    )
    # Never faster than the pace: after the first batch, each ten took five seconds.
    times = sorted(Invitation.objects.values_list("created_at", flat=True))
    before_pause = times[:paused_at]
    span = (before_pause[-1] - before_pause[0]).total_seconds()
    assert span >= (paused_at - 10) * 3600 / PACE - 0.5, (paused_at, span)
