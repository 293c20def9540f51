"""The sandbox dashboard: who may see and change what; every change is audited."""

import pytest
from django.contrib.auth.hashers import check_password

from idbridge.audit.models import AuditEntry
from sandbox import faults
from sandbox.models import ApiClient, FaultConfig, Identity, Person
from sandbox.services.clients import api_client_create

PAGES = ["/sandbox/", "/sandbox/staff/", "/sandbox/clients/", "/sandbox/faults/"]


@pytest.mark.parametrize(
    "persona,status",
    [("district_admin", 200), ("auditor", 200), ("hr_operator", 403), ("outsider", 403)],
)
def test_sandbox_pages_need_view_sandbox(request, client, district, persona, status):
    client.force_login(request.getfixturevalue(persona))
    person = Person.objects.first()
    for path in [*PAGES, f"/sandbox/people/{person.pk}/"]:
        assert client.get(path).status_code == status, path


def test_anonymous_visitors_are_sent_to_sign_in(client, district):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_overview_lists_schools_and_endpoints(client, district_admin, district):
    client.force_login(district_admin)
    page = client.get("/sandbox/").content.decode()
    assert "District Office" in page
    assert "/sandbox/campus/services/IdentityService?wsdl" in page


def test_staff_search_finds_by_name_staff_number_and_person_id(client, auditor, district):
    client.force_login(auditor)
    staff = Person.objects.filter(assignments__isnull=False).exclude(staff_number="").first()
    last = Identity.objects.get(person=staff, is_current=True).last_name
    for query in (staff.staff_number, last, str(staff.pk)):
        page = client.get("/sandbox/staff/", {"q": query}).content.decode()
        assert f"/sandbox/people/{staff.pk}/" in page, query
    assert "No staff found" in client.get("/sandbox/staff/", {"q": "zzzz-nobody"}).content.decode()


def test_a_person_page_shows_identities_positions_households_and_a_masked_ssn(
    client, auditor, district
):
    client.force_login(auditor)
    person = Person.objects.exclude(ssn="").filter(assignments__isnull=False).first()
    page = client.get(f"/sandbox/people/{person.pk}/").content.decode()
    assert "District assignments" in page and "Households" in page and "Employments" in page
    assert person.ssn.reveal() not in page
    assert "•••••" + person.ssn.reveal()[-4:] in page


def test_an_unknown_person_is_404(client, auditor, district):
    client.force_login(auditor)
    assert client.get("/sandbox/people/99999999/").status_code == 404


def test_a_district_admin_creates_a_client_and_sees_its_secret_once(client, district_admin):
    client.force_login(district_admin)
    response = client.post("/sandbox/clients/new/", {"name": "HR system", "demographics": "on"})
    assert response.status_code == 200
    credentials = response.context["new_credentials"]
    api = ApiClient.objects.get(name="HR system")
    assert credentials["client_secret"] in response.content.decode()
    assert api.application.client_secret != credentials["client_secret"]  # stored hashed
    assert check_password(credentials["client_secret"], api.application.client_secret)
    assert credentials["client_secret"] not in client.get("/sandbox/clients/").content.decode()
    assert AuditEntry.objects.filter(action="campus.client_created", actor=district_admin).exists()
    entry = AuditEntry.objects.get(action="campus.client_created")
    assert credentials["client_secret"] not in str(entry.details)


def test_a_duplicate_client_name_is_refused_with_a_message(client, district_admin):
    client.force_login(district_admin)
    client.post("/sandbox/clients/new/", {"name": "HR system"})
    response = client.post("/sandbox/clients/new/", {"name": "HR system"})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "hr_operator", "outsider"])
def test_only_sandbox_managers_may_create_clients_or_new_secrets(request, db, client, persona):
    _, credentials = api_client_create(name="Existing", actor="tests")
    api = ApiClient.objects.get(name="Existing")
    client.force_login(request.getfixturevalue(persona))
    assert client.post("/sandbox/clients/new/", {"name": "Sneaky"}).status_code == 403
    assert client.post(f"/sandbox/clients/{api.pk}/secret/").status_code == 403
    assert client.post(f"/sandbox/clients/{api.pk}/soap-password/").status_code == 403
    assert not ApiClient.objects.filter(name="Sneaky").exists()
    api.application.refresh_from_db()
    assert check_password(credentials["client_secret"], api.application.client_secret)


def test_generate_new_secret_replaces_the_secret_and_is_audited(client, district_admin):
    _, credentials = api_client_create(name="Existing", actor="tests")
    api = ApiClient.objects.get(name="Existing")
    client.force_login(district_admin)
    response = client.post(f"/sandbox/clients/{api.pk}/secret/")
    new_secret = response.context["new_credentials"]["client_secret"]
    api.application.refresh_from_db()
    assert check_password(new_secret, api.application.client_secret)
    assert not check_password(credentials["client_secret"], api.application.client_secret)
    assert AuditEntry.objects.filter(action="campus.client_secret_rotated").exists()
    response = client.post(f"/sandbox/clients/{api.pk}/soap-password/")
    api.refresh_from_db()
    assert api.soap_password.reveal() == response.context["new_credentials"]["soap_password"]
    assert AuditEntry.objects.filter(action="campus.client_soap_password_rotated").exists()


def test_a_district_admin_switches_faults_and_it_is_audited(client, district_admin):
    client.force_login(district_admin)
    response = client.post(
        "/sandbox/faults/",
        {
            "action": "save",
            "endpoints": "soap",
            "latency_ms": "0",
            "error_share": "0.25",
            "error_status": "503",
            "timeout_share": "0",
            "timeout_seconds": "30",
            "rate_limit_share": "0",
            "retry_after_seconds": "1",
            "session_seconds": "",
        },
    )
    assert response.status_code == 302
    assert FaultConfig.objects.get(pk=1).error_share == 0.25
    assert AuditEntry.objects.filter(action="campus.faults_set", actor=district_admin).exists()
    client.post("/sandbox/faults/", {"action": "clear"})
    assert FaultConfig.objects.get(pk=1).error_share == 0


def test_a_share_above_one_is_refused(client, district_admin):
    client.force_login(district_admin)
    response = client.post(
        "/sandbox/faults/",
        {
            "action": "save",
            "latency_ms": "0",
            "error_share": "2",
            "error_status": "503",
            "timeout_share": "0",
            "timeout_seconds": "30",
            "rate_limit_share": "0",
            "retry_after_seconds": "1",
        },
    )
    assert response.status_code == 400
    assert faults.faults_get().error_share == 0


@pytest.mark.parametrize(
    "change",
    [
        {"latency_ms": "70000"},
        {"session_seconds": "0"},
        {"timeout_seconds": "-5"},
        {"retry_after_seconds": "5000"},
    ],
)
def test_switches_outside_their_rules_are_refused_on_the_form(client, district_admin, change):
    client.force_login(district_admin)
    form = {
        "action": "save",
        "latency_ms": "0",
        "error_share": "0",
        "error_status": "503",
        "timeout_share": "0",
        "timeout_seconds": "30",
        "rate_limit_share": "0",
        "retry_after_seconds": "1",
    }
    response = client.post("/sandbox/faults/", {**form, **change})
    assert response.status_code == 400
    assert "must be" in response.content.decode()
    assert not AuditEntry.objects.filter(action="campus.faults_set").exists()


def test_an_auditor_sees_faults_and_counters_but_cannot_change_them(client, auditor):
    faults.counter_increment("soap.GetPerson")
    client.force_login(auditor)
    page = client.get("/sandbox/faults/")
    assert "soap.GetPerson" in page.content.decode()
    assert client.post("/sandbox/faults/", {"action": "clear"}).status_code == 403
    assert client.post("/sandbox/faults/", {"action": "reset_counters"}).status_code == 403
    assert faults.counters_get()["soap.GetPerson"] == 1
