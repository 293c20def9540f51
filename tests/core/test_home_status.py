"""The home page: status at a glance per role, and its JSON for updates without reload."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.jobs.models import Job
from staff.models import CampusConnection
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    return client.get("/").content.decode()


def test_an_hr_operator_sees_onboarding_counts_and_the_business_office_but_no_audit(
    login, hr_operator
):
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    discovered(connection, person(1))
    page = _page(login(hr_operator))
    assert "<dt>Discovered</dt><dd>1</dd>" in page
    assert "Business Office" in page and "none yet" in page
    assert "Recent activity" not in page


def test_a_connection_that_fails_is_an_alert_with_the_district_time(login, hr_operator, settings):
    settings.TIME_ZONE = "America/Chicago"
    failed_at = datetime(2026, 12, 3, 19, 5, tzinfo=ZoneInfo("UTC"))
    CampusConnection.objects.create(
        name="Campus prod",
        kind="rest",
        last_poll_at=failed_at - timedelta(hours=1),
        last_error="The token endpoint refused the client secret.",
        last_error_at=failed_at,
    )
    page = _page(login(hr_operator))
    assert (
        "Campus connection Campus prod failed Dec 3, 13:05 CST: The token endpoint refused" in page
    )
    assert "Last poll of Campus prod" in page and "Dec 3, 12:05 CST" in page


def test_a_failed_job_is_an_alert_for_those_who_may_see_it(login, hr_operator, outsider):
    Job.objects.create(
        kind="boi.preflight",
        subject_id=999,
        state=Job.State.FAILED,
        error="Campus did not answer within 30 seconds.",
        finished_at=timezone.now(),
    )
    page = _page(login(hr_operator))
    assert "Pre-flight failed" in page and "Campus did not answer within 30 seconds." in page
    assert "Campus did not answer" not in _page(login(outsider))


def test_an_auditor_sees_recent_activity_in_words(login, auditor, hr_operator):
    hr_operator.first_name, hr_operator.last_name = "Maria", "Lopez"
    hr_operator.save()
    audit_record(actor=hr_operator, action="boi.import.uploaded", target="boi.hrimport:77")
    page = _page(login(auditor))
    assert "Recent activity" in page
    assert "HR operator Maria Lopez uploaded the HR file" in page


def test_a_user_without_a_role_sees_no_status(login, outsider):
    page = _page(login(outsider))
    assert "Ask a district administrator" in page and "Alerts" not in page


def test_the_status_json_renders_the_same_status_for_the_script(login, hr_operator):
    client = login(hr_operator)
    data = client.get("/status.json").json()
    assert "Business Office" in data["html"] and "Nothing needs attention." in data["html"]
    client.logout()
    assert client.get("/status.json").status_code == 302
