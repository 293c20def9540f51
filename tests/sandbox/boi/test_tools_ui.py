"""Campus's BOI tools in the sandbox UI: credentials, Check Campus Data, the
Synchronization tool, the Error Log and its PDF, Notifications, Preferences and the
read-only staff they lock, Combine Person. View with view_sandbox, change with
manage_sandbox, every change audited."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from idbridge.audit.models import AuditEntry
from sandbox.boi.notifications import notification_save, tool_rights_set
from sandbox.boi.preferences import preferences_get
from sandbox.models import (
    ApiClient,
    BoiErrorLogEntry,
    BoiNotification,
    DistrictAssignment,
    Identity,
    MessageCenterMessage,
    Person,
    Relationship,
    SyncSession,
)
from tests.boi.test_console_words import visible_text

from .conftest import read

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"campus:{name}", args=args)


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "boi_index",
        "boi_credentials",
        "boi_api_docs",
        "boi_check",
        "boi_sync_tool",
        "boi_error_log",
        "boi_notifications",
        "boi_tool_rights",
        "boi_messages",
        "boi_preferences",
        "boi_combine",
    ],
)
def test_an_auditor_may_look_and_an_outsider_may_not(login, auditor, outsider, district, name):
    assert login(auditor).get(url(name)).status_code == 200
    assert login(outsider).get(url(name)).status_code == 403


@pytest.mark.parametrize(
    "name,data",
    [
        ("boi_sync_tool", {"action": "start"}),
        ("boi_preferences", {"allow_household_updates": ""}),
        ("boi_notifications", {"kind": "hr_staff"}),
        ("boi_tool_rights", {"user": "1"}),
        ("boi_combine", {"base_person": "1", "other_person": "2"}),
        ("boi_credentials_create", {"name": "X"}),
    ],
)
def test_only_a_sandbox_manager_may_change_anything(login, auditor, district, name, data):
    assert login(auditor).post(url(name), data).status_code == 403
    assert not SyncSession.objects.exists()


# --- API credentials ------------------------------------------------------------------------


def test_credentials_show_the_secret_once_behind_a_show_toggle_and_rotate_it(
    login, district_admin, boi_api, district
):
    page = login(district_admin).get(url("boi_credentials")).content.decode()
    creds = boi_api.credentials
    assert creds["client_id"] in page
    assert creds["client_secret"] not in page
    assert "/sandbox/campus/api/boi/v1/" in page and "oauth2/token?appName=" in page
    assert "openapi.json" in page and "Generate New Secret" in page
    old_token = boi_api.token
    client = ApiClient.objects.get(name="HR system")
    response = login(district_admin).post(url("boi_credentials_rotate", client.pk))
    page = response.content.decode()
    assert 'type="password"' in page and "data-toggle-secret" in page
    assert "sandbox/boi.js" in page and "<script>" not in page  # CSP: no inline scripts
    new_secret = page.split("data-secret")[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert len(new_secret) > 20
    assert boi_api.token_response().status_code == 401  # the old secret stopped working
    assert boi_api.get("genders", token=old_token).status_code == 401
    assert boi_api.token_response(secret=new_secret).status_code == 200
    assert AuditEntry.objects.filter(action="campus.client_secret_rotated").exists()


def test_the_api_documentation_is_shown_from_the_openapi_description(login, auditor, db):
    page = login(auditor).get(url("boi_api_docs")).content.decode()
    assert "POST /sandbox/campus/api/boi/v1/sync/{syncID}/submitCommitJob" in page
    assert "GET /sandbox/campus/api/boi/v1/sync/jobs/latest" in page
    assert "fullStreetAddress" in page and "openapi.json" in page


def test_new_credentials_may_only_use_the_business_office_api(login, district_admin, client, db):
    response = login(district_admin).post(url("boi_credentials_create"), {"name": "Payroll HR"})
    assert response.status_code == 200
    created = ApiClient.objects.get(name="Payroll HR")
    assert created.scopes == "boi.readwrite"


def test_the_show_toggle_script_is_served(client, db):
    from django.contrib.staticfiles import finders

    script = open(finders.find("sandbox/boi.js")).read()
    assert "dataset.toggleSecret" in script and '"password"' in script


# --- Check Campus Data ----------------------------------------------------------------------


def test_check_campus_data_lists_duplicate_and_missing_staff_numbers(login, auditor, district):
    from sandbox.boi.checks import campus_data_check

    report = campus_data_check()
    assert report.duplicates and report.missing  # the generator makes a few of each
    page = login(auditor).get(url("boi_check")).content.decode()
    number, people = report.duplicates[0]
    assert number in page
    assert all(f"({p.person_id})" in page for p in people)
    assert str(report.missing[0].person_id) in page


# --- Synchronization tool ---------------------------------------------------------------------


def test_the_synchronization_tool_runs_a_transfer_only_sync(
    login, district_admin, boi_api, district, staff_payload, django_capture_on_commit_callbacks
):
    district_admin.first_name, district_admin.last_name = "Dana", "Okafor"
    district_admin.save()
    web = login(district_admin)
    web.post(url("boi_sync_tool"), {"action": "start"})
    session = SyncSession.objects.get()
    assert session.started_by == "dana_admin"
    # The HR system only transfers, into the sync the district started.
    assert boi_api.post(f"sync/{session.pk}/transfer", [staff_payload("970001")]).status_code == 200
    page = visible_text(web.get(url("boi_sync_tool")).content.decode())
    assert "1 staff transferred" in page
    # Who started it by name, when on the district's clock with its zone.
    assert re.search(r"Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d C[SD]T by Dana Okafor", page)
    assert "dana_admin" not in page
    web.post(url("boi_sync_tool"), {"action": "end_transfer"})
    web.post(url("boi_sync_tool"), {"action": "validate"})
    session.refresh_from_db()
    assert session.status == "validated" and session.summary["add"] == 1
    report = web.get(url("boi_sync_report", session.pk)).content.decode()
    assert "970001" in report and "new address" in report
    # HR data changed: Restart Transfer, transfer again.
    web.post(url("boi_sync_tool"), {"action": "restart"})
    session.refresh_from_db()
    assert session.status == "transferring" and session.staff_count == 0
    boi_api.post(f"sync/{session.pk}/transfer", [staff_payload("970002")])
    web.post(url("boi_sync_tool"), {"action": "end_transfer"})
    web.post(url("boi_sync_tool"), {"action": "validate"})
    with django_capture_on_commit_callbacks(execute=True):
        web.post(url("boi_sync_tool"), {"action": "commit"})
    session.refresh_from_db()
    assert session.status == "committed"
    assert Person.objects.filter(staff_number="970002").exists()
    assert not Person.objects.filter(staff_number="970001").exists()
    page = web.get(url("boi_sync_tool")).content.decode()
    assert "1 of 1" in page


def test_a_step_out_of_order_in_the_tool_is_explained(login, district_admin, district):
    web = login(district_admin)
    web.post(url("boi_sync_tool"), {"action": "start"})
    response = web.post(url("boi_sync_tool"), {"action": "validate"}, follow=True)
    assert "end the transfer first" in response.content.decode()


# --- Error log --------------------------------------------------------------------------------


@pytest.fixture
def logged_errors(boi_api, district, staff_payload):
    boi_api.post("staff", staff_payload(gender="Q", ssn="912-34-5678"))
    boi_api.put("staff/424242", staff_payload("424242"))
    boi_api.get("schools", token="")
    return list(BoiErrorLogEntry.objects.order_by("id"))


def test_the_error_log_lists_and_filters_failed_calls(login, auditor, logged_errors):
    web = login(auditor)
    page = web.get(url("boi_error_log")).content.decode()
    for column in ("Error Date", "Action", "Path", "Error Message", "Payload"):
        assert column in page
    assert "is not a Campus gender" in page and "no person in Campus" in page
    only_put = web.get(url("boi_error_log"), {"action": "PUT"}).content.decode()
    assert "no person in Campus" in only_put and "is not a Campus gender" not in only_put
    by_text = web.get(url("boi_error_log"), {"text": "gender"}).content.decode()
    assert "is not a Campus gender" in by_text and "no person in Campus" not in by_text
    by_path = web.get(url("boi_error_log"), {"path": "schools"}).content.decode()
    assert "bearer token is required" in by_path and "gender" not in by_path
    entry = web.get(url("boi_error_log_entry", logged_errors[0].pk)).content.decode()
    assert "***-**-5678" in entry and "912-34-5678" not in entry


def test_the_error_log_exports_to_a_pdf_with_its_five_columns(login, auditor, logged_errors):
    response = login(auditor).get(url("boi_error_log_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Business Office Error Log" in text
    for column in ("Error Date", "Action", "Path", "Error Message", "Payload"):
        assert column in text
    assert "is not a Campus gender" in text
    assert "/sandbox/campus/api/boi/v1/staff" in text
    assert "***-**-5678" in text and "912-34-5678" not in text
    assert "Entries: 3" in text


def test_the_pdf_follows_the_filters(login, auditor, logged_errors):
    response = login(auditor).get(url("boi_error_log_pdf"), {"action": "PUT"})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Entries: 1" in text and "action PUT" in text
    assert "is not a Campus gender" not in text


# --- Notifications ----------------------------------------------------------------------------


def test_notification_recipients_need_tool_rights(login, district_admin, hr_operator, district):
    web = login(district_admin)
    response = web.post(
        url("boi_notifications"), {"kind": "hr_staff", "recipients": [hr_operator.pk]}
    )
    assert response.status_code == 400
    assert not BoiNotification.objects.exists()
    web.post(
        url("boi_tool_rights"),
        {"user": hr_operator.pk, "district_employment": "on"},
    )
    response = web.post(
        url("boi_notifications"), {"kind": "hr_staff", "recipients": [hr_operator.pk]}
    )
    assert response.status_code == 302
    notification = BoiNotification.objects.get()
    assert list(notification.recipients.values_list("user_id", flat=True)) == [hr_operator.pk]
    assert AuditEntry.objects.filter(action="campus.boi_notification_saved").exists()


def test_removing_every_recipient_deletes_the_notification(
    login, district_admin, hr_operator, district
):
    tool_rights_set(
        user=hr_operator, district_employment=True, district_assignments=True, actor="t"
    )
    notification = notification_save(kind="hr_staff", recipient_ids=[hr_operator.pk], actor="t")
    web = login(district_admin)
    web.post(url("boi_notification_edit", notification.pk), {"kind": "hr_sync_commit"})
    assert not BoiNotification.objects.exists()
    # Taking a recipient's last tool right away removes them too.
    notification = notification_save(kind="hr_staff", recipient_ids=[hr_operator.pk], actor="t")
    tool_rights_set(
        user=hr_operator, district_employment=False, district_assignments=False, actor="t"
    )
    assert not BoiNotification.objects.filter(pk=notification.pk).exists()


def test_messages_land_in_the_message_center_and_can_be_marked_read(
    login, hr_operator, auditor, boi_api, staff_payload, district
):
    tool_rights_set(user=auditor, district_employment=True, district_assignments=False, actor="t")
    notification_save(kind="hr_staff", recipient_ids=[auditor.pk], actor="t")
    boi_api.post("staff", staff_payload())
    web = login(auditor)
    page = web.get(url("boi_messages")).content.decode()
    assert "HR created staff member 900001" in page
    message = MessageCenterMessage.objects.get(user=auditor)
    web.post(url("boi_messages"), {"message": message.pk})
    message.refresh_from_db()
    assert message.read_at is not None


# --- Preferences and read-only synced staff -----------------------------------------------------


def test_preferences_are_saved_and_audited(login, district_admin, district):
    web = login(district_admin)
    web.post(
        url("boi_preferences"),
        {
            "lock_demographics": "on",
            "lock_identities": "on",
            "lock_employment": "on",
            "lock_assignments": "on",
        },
    )
    prefs = preferences_get()
    assert prefs.lock_assignments and not prefs.lock_households
    assert not prefs.allow_household_updates
    entry = AuditEntry.objects.filter(action="campus.boi_preferences_saved").last()
    assert entry.details["changed"] == {
        "lock_households": False,
        "allow_household_updates": False,
    }


def test_staff_written_by_hr_are_read_only_where_the_preferences_lock(
    login, district_admin, boi_api, staff_payload
):
    person_id = boi_api.post("staff", staff_payload()).json()["staff"]["personID"]
    web = login(district_admin)
    edit = url("person_edit", person_id)
    page = web.get(edit).content.decode()
    assert "Read-only: names come from the HR system" in page
    response = web.post(
        edit, {"area": "identities", "first_name": "X", "last_name": "Y", "middle_name": ""}
    )
    assert response.status_code == 403
    assert Identity.objects.filter(person_id=person_id).count() == 1
    assignment = DistrictAssignment.objects.get(person_id=person_id)
    response = web.post(
        edit, {"area": "assignments", "item": assignment.pk, "end_date": "2026-01-01"}
    )
    assert response.status_code == 403
    # Unlock names: a hand edit is allowed again (and may be overwritten by HR later).
    web.post(
        url("boi_preferences"),
        {
            "lock_demographics": "on",
            "lock_employment": "on",
            "lock_assignments": "on",
            "lock_households": "on",
            "allow_household_updates": "on",
        },
    )
    response = web.post(
        edit, {"area": "identities", "first_name": "X", "last_name": "Y", "middle_name": ""}
    )
    assert response.status_code == 302
    assert Identity.objects.get(person_id=person_id, is_current=True).last_name == "Y"


def test_staff_not_controlled_by_hr_stay_editable(login, district_admin, district):
    person = Person.objects.filter(assignments__isnull=False).first()
    assert person.hr_synced_at is None
    response = login(district_admin).post(
        url("person_edit", person.pk),
        {"area": "demographics", "work_phone": "612-555-0142", "work_email": "a@b.example"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.work_phone == "612-555-0142"


def test_a_refused_hand_edit_names_the_fields_in_words(login, district_admin, district):
    person = Person.objects.filter(assignments__isnull=False).first()
    web = login(district_admin)
    response = web.post(
        url("person_edit", person.pk),
        {"area": "employment", "hire_date": "09/01/24x", "termination_date": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Hire date: enter a date like 2024-09-01" in page
    assert "hire_date" not in visible_text(page)
    page = web.post(
        url("person_edit", person.pk), {"area": "identities", "middle_name": "Q"}
    ).content.decode()
    assert "First name: required; Last name: required" in page
    assert "This field is required" not in page
    page = web.post(
        url("person_edit", person.pk), {"area": "demographics", "work_email": "nope"}
    ).content.decode()
    assert "Work email: enter an email address like name@example.org" in page


# --- Combine Person ------------------------------------------------------------------------------


def test_a_parent_hired_as_staff_is_combined_into_the_new_staff_member(
    login, district_admin, boi_api, staff_payload, district
):
    guardian_ids = Relationship.objects.values_list("guardian_id", flat=True)
    parent = (
        Person.objects.filter(pk__in=guardian_ids, assignments__isnull=True, staff_number="")
        .order_by("id")
        .first()
    )
    wards = set(Relationship.objects.filter(guardian=parent).values_list("student_id", flat=True))
    identity = parent.identities.get(is_current=True)
    hired = staff_payload("980001", lastName=identity.last_name, firstName=identity.first_name)
    staff_id = boi_api.post("staff", hired).json()["staff"]["personID"]
    assert staff_id != parent.pk  # HR found no staff number: Campus has the person twice
    web = login(district_admin)
    preview = web.post(url("boi_combine"), {"base_person": staff_id, "other_person": parent.pk})
    assert "Base person (kept)" in preview.content.decode()
    response = web.post(
        url("boi_combine"),
        {"base_person": staff_id, "other_person": parent.pk, "confirm": "True"},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=parent.pk).exists()
    staff = Person.objects.get(pk=staff_id)
    assert staff.staff_number == "980001" and staff.assignments.count() == 1
    assert (
        set(Relationship.objects.filter(guardian=staff).values_list("student_id", flat=True))
        == wards
    )
    assert staff.identities.filter(is_current=True).count() == 1
    assert staff.identities.count() >= 2
    assert AuditEntry.objects.filter(action="campus.person_combined").exists()


def test_the_base_person_must_be_the_new_staff_member(login, district_admin, district):
    guardian = Relationship.objects.order_by("id").first().guardian
    other = Relationship.objects.exclude(guardian=guardian).order_by("id").first().guardian
    if DistrictAssignment.objects.filter(person=guardian).exists():
        guardian, other = other, guardian
    response = login(district_admin).post(
        url("boi_combine"),
        {"base_person": guardian.pk, "other_person": other.pk, "confirm": "True"},
    )
    assert response.status_code == 400
    assert "base person must be the new staff member" in response.content.decode()
    assert Person.objects.filter(pk__in=[guardian.pk, other.pk]).count() == 2


def test_validate_report_page_shows_conflicts(login, auditor, boi_api, staff_payload, district):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    boi_api.post(f"sync/{sync_id}/transfer", [staff_payload("990001"), staff_payload("990001")])
    boi_api.post(f"sync/{sync_id}/endTransfer")
    read(boi_api.post(f"sync/{sync_id}/validate"))
    page = login(auditor).get(url("boi_sync_report", sync_id), {"show": "error"}).content.decode()
    assert "appears 2 times in HR" in page
