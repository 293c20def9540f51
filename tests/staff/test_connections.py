from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.jobs.models import Job
from staff import polling
from staff.models import CampusConnection
from tests.conftest import fresh_passkey_check

REST_FORM = {
    "name": "District Campus",
    "kind": "rest",
    "enabled": "on",
    "poll_interval_seconds": 60,
    "token_url": "https://campus.district.example/campus/oauth2/token?appName=district",
    "rostering_base_url": "https://campus.district.example/campus/api/oneroster/v1p2/district/ims/oneroster/rostering/v1p2/",
    "client_id": "idbridge",
    "client_secret": "s3cret-value-123",
    "staff_number_field": "identifier",
    "person_id_field": "userIds:personID",
    "page_size": 1000,
    "max_concurrency": 2,
    "overlap_seconds": 300,
    "full_reconcile_hours": 24,
    "shrink_hold_percent": 20,
    "wsdl_url": "",
    "soap_username": "",
    "soap_password": "",
    "miss_run_limit": 50,
}


def test_a_district_admin_adds_a_rest_connection_and_the_secret_is_never_shown(
    client, district_admin
):
    fresh_passkey_check(client, district_admin)
    response = client.post("/staff/connections/new/", REST_FORM)
    connection = CampusConnection.objects.get(name=REST_FORM["name"])
    assert response.status_code == 302
    assert connection.client_secret.reveal() == "s3cret-value-123"
    edit = client.get(f"/staff/connections/{connection.id}/edit/").content.decode()
    assert "s3cret-value-123" not in edit
    entry = AuditEntry.objects.get(action="staff.connection.created")
    assert "s3cret" not in str(entry.details)
    assert entry.details["credentials_replaced"] == ["client_secret"]


def test_saving_without_a_new_secret_keeps_the_stored_one(client, district_admin):
    fresh_passkey_check(client, district_admin)
    client.post("/staff/connections/new/", REST_FORM)
    connection = CampusConnection.objects.get(name=REST_FORM["name"])
    client.post(
        f"/staff/connections/{connection.id}/edit/",
        {**REST_FORM, "client_secret": "", "poll_interval_seconds": 120},
    )
    connection.refresh_from_db()
    assert connection.poll_interval_seconds == 120
    assert connection.client_secret.reveal() == "s3cret-value-123"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"token_url": ""}, "token_url"),
        ({"client_secret": ""}, "client_secret"),
        ({"staff_number_field": "email"}, "staff_number_field"),
        ({"person_id_field": "userIds:"}, "person_id_field"),
        ({"person_id_field": "person id"}, "person_id_field"),
        ({"poll_interval_seconds": 5}, "poll_interval_seconds"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_concurrency": 500}, "max_concurrency"),
        ({"kind": "soap"}, "wsdl_url"),
    ],
)
def test_bad_connection_settings_are_refused_with_the_field_named(
    client, district_admin, change, field
):
    fresh_passkey_check(client, district_admin)
    response = client.post("/staff/connections/new/", {**REST_FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not CampusConnection.objects.filter(name=REST_FORM["name"]).exists()


def test_only_district_admins_configure_connections(client, hr_operator, auditor):
    for user in (hr_operator, auditor):
        client.force_login(user)
        assert client.get("/staff/connections/new/").status_code == 403
        assert client.post("/staff/connections/new/", REST_FORM).status_code == 403
    assert not CampusConnection.objects.filter(name=REST_FORM["name"]).exists()


def test_an_hr_operator_can_poll_now_but_not_accept_a_held_pull(
    client, hr_operator, auditor, connection
):
    client.force_login(auditor)
    assert client.post(f"/staff/connections/{connection.id}/poll/").status_code == 403
    client.force_login(hr_operator)
    response = client.post(f"/staff/connections/{connection.id}/poll/", {"accept_shrink": "1"})
    assert response.status_code == 403


def test_progress_is_readable_as_json(client, auditor, connection):
    client.force_login(auditor)
    body = client.get(f"/staff/connections/{connection.id}/progress/").json()
    assert body["polling"] is False
    assert body["status"] == "Not polled yet"


def test_a_poll_is_never_claimed_twice(connection):
    assert polling.connection_claim_poll(connection.id)
    assert not polling.connection_claim_poll(connection.id)


def test_due_connections_are_queued_once_per_interval(connection):
    assert polling.connections_due() == [connection.id]
    assert polling.connections_due() == []


def test_a_poll_whose_worker_died_is_due_again_once_its_claim_is_stale(connection):
    assert polling.connection_claim_poll(connection.id)  # the worker then dies mid-poll
    assert polling.connections_due() == []
    Job.objects.filter(id=CampusConnection.objects.get(id=connection.id).poll_job_id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)
    )
    assert polling.connections_due() == [connection.id]
