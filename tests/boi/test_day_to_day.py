"""Day to day: a staff member typed on the page is created in Campus through the BOI
API; refused forms come back as typed, with the reasons in words."""

import pytest

from idbridge.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW = {
    "staff_number": "N00042",
    "last_name": "Okafor",
    "first_name": "Chidi",
    "middle_name": "",
    "gender": "M",
    "birth_date": "1988-04-02",
    "ssn": "123-45-6789",
    "work_email": "chidi.okafor@district.example",
    "hire_date": "2026-08-15",
    "school_number": "030",
    "assignment_code": "20",
    "title_code": "T100",
}


def _post(client, connection, **changes):
    return client.post("/boi/day/staff/", {**NEW, "connection": connection.id, **changes})


def test_the_day_to_day_page_offers_a_create_form_with_campus_pick_lists(
    ready_connection, login, hr_operator
):
    page = login(hr_operator).get(f"/boi/day/?connection={ready_connection.id}").content.decode()
    assert 'id="create-form"' in page
    assert "030 — Central High" in page and "F — Female" in page and "20 — Teacher" in page


def test_an_operator_creates_a_staff_member_with_a_hire_date_and_a_first_position(
    ready_connection, fake_boi, login, hr_operator
):
    response = _post(login(hr_operator), ready_connection)
    assert response.status_code == 302 and "staff_number=N00042" in response.url
    created = fake_boi.staff["N00042"]
    assert [created[k] for k in ("lastName", "firstName", "gender")] == ["Okafor", "Chidi", "M"]
    assert created["ssn"] == "123-45-6789"
    assert created["employments"] == [{"hireDate": "2026-08-15"}]
    assert created["positions"] == [
        {
            "schoolNumber": "030",
            "assignmentCode": "20",
            "titleCode": "T100",
            "startDate": "2026-08-15",
        }
    ]
    entry = AuditEntry.objects.get(action="boi.staff.entered")
    assert entry.details == {"staff_number": "N00042", "positions": 1, "employments": 1}
    assert "123-45-6789" not in str(entry.details)


def test_a_form_campus_rules_refuse_comes_back_as_typed_with_reasons_in_words(
    ready_connection, fake_boi, login, hr_operator
):
    response = _post(login(hr_operator), ready_connection, staff_number="N-42", ssn="12345")
    page = response.content.decode()
    assert response.status_code == 400 and "N-42" not in fake_boi.staff
    assert "Staff number must be letters and digits only" in page
    assert "SSN must be nine digits" in page
    assert "staffNumber" not in page.split("<form")[-1].split("</form>")[0].replace('name="', "")
    for typed in ('value="N-42"', 'value="Okafor"', 'value="Chidi"', 'value="2026-08-15"'):
        assert typed in page
    assert 'value="030" selected' in page  # the picked school stays picked
    assert "12345" not in page  # an SSN is never shown again, even a wrong one
    assert not AuditEntry.objects.filter(action="boi.staff.entered").exists()


def test_a_staff_number_campus_already_has_is_not_created_twice(
    ready_connection, fake_boi, login, hr_operator
):
    client = login(hr_operator)
    _post(client, ready_connection)
    response = _post(client, ready_connection, last_name="Other")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Campus already has staff number N00042: update them instead." in page
    assert fake_boi.staff["N00042"]["lastName"] == "Okafor"
    assert AuditEntry.objects.filter(action="boi.staff.entered").count() == 1


def test_a_missing_required_field_is_named_and_nothing_is_sent(
    ready_connection, fake_boi, login, hr_operator
):
    response = _post(login(hr_operator), ready_connection, gender="", hire_date="")
    assert response.status_code == 400 and "N00042" not in fake_boi.staff
    assert response.content.decode().count("This field is required.") == 2


def test_an_auditor_cannot_create_staff(ready_connection, fake_boi, login, auditor):
    response = _post(login(auditor), ready_connection)
    assert response.status_code == 403 and not fake_boi.staff


def test_a_refused_position_keeps_what_was_typed(ready_connection, fake_boi, login, hr_operator):
    client = login(hr_operator)
    response = client.post(
        "/boi/day/position/",
        {
            "connection": ready_connection.id,
            "staff_number": "E00001",
            "school_number": "999",
            "title_code": "T100",
            "start_date": "2026-09-01",
            "mode": "add",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "School number" in page and "schoolNumber" not in page.split('id="position-form"')[0]
    for typed in ('value="E00001"', 'value="999"', 'value="T100"', 'value="2026-09-01"'):
        assert typed in page


# --- the home address ------------------------------------------------------------------------

ADDRESS = {
    "address_number": "4321",
    "address_prefix": "North",
    "address_street": "Lexington",
    "address_tag": "Avenue",
    "address_apt": "45",
    "address_city": "Blaine",
    "address_state": "MN",
    "address_zip": "55123",
}


def _sent_address(fake_boi, number="N00042") -> dict:
    return fake_boi.staff[number]["household"]["householdLocations"][0]["address"]


def test_the_create_form_takes_an_optional_home_address_with_a_state_pick_list(
    ready_connection, login, hr_operator
):
    page = login(hr_operator).get(f"/boi/day/?connection={ready_connection.id}").content.decode()
    form = page.split('id="create-form"')[1].split("</form>")[0]
    assert "Home address (optional)" in form
    for name in ("address_full", "address_number", "address_street", "address_zip"):
        assert f'name="{name}"' in form
    assert "MN — Minnesota" in form and "does not send addresses" not in form


def test_a_staff_member_is_created_with_the_address_typed_in_its_parts_normalized(
    ready_connection, fake_boi, login, hr_operator
):
    response = _post(login(hr_operator), ready_connection, **ADDRESS)
    assert response.status_code == 302, response.content.decode()[:2000]
    sent = _sent_address(fake_boi)
    assert (sent["number"], sent["prefix"], sent["street"], sent["tag"]) == (
        "4321",
        "N",
        "LEXINGTON",
        "AVE",
    )
    assert (sent["apt"], sent["city"], sent["state"], sent["zip"]) == (
        "45",
        "BLAINE",
        "MN",
        "55123",
    )
    entry = AuditEntry.objects.get(action="boi.staff.entered")
    assert entry.details["address"] is True and "Lexington" not in str(entry.details)


def test_an_address_campus_already_has_is_sent_as_campus_s_own_record(
    ready_connection, fake_boi, login, hr_operator
):
    """Campus holds the street line in one field (an old import): its own record is sent
    back, in the form Campus takes it, not a second spelling of it."""
    from tests.boi.test_transfer_refusals import LINE, PLACE, _plant_one_field_address

    _plant_one_field_address(fake_boi)
    typed = {"address_full": "4321 North Lexington Avenue", "address_city": "BLAINE"}
    typed |= {"address_state": "MN", "address_zip": "55123"}
    response = _post(login(hr_operator), ready_connection, **typed)
    assert response.status_code == 302
    assert _sent_address(fake_boi) == {"fullStreetAddress": LINE, **PLACE}


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        (
            {"address_zip": "5512"},
            "address_zip",
            "Home address: ZIP code must be 5 digits or ZIP+4 (12345 or 12345-6789) (a leading "
            "zero may have been lost)",
        ),
        (
            {"address_full": "4321 N Lexington Ave"},
            "address_full",
            "send street address or the street address components, not both",
        ),
        ({"address_po_box": "on"}, "address_prefix", "a PO box takes only its number"),
        ({"address_city": ""}, "address_city", "city is required"),
    ],
    ids=["zip", "both forms", "po box with a street", "no city"],
)
def test_an_address_the_rules_refuse_is_named_beside_its_field_and_nothing_is_sent(
    ready_connection, fake_boi, login, hr_operator, typed, field, words
):
    response = _post(login(hr_operator), ready_connection, **{**ADDRESS, **typed})
    page = response.content.decode()
    assert response.status_code == 400 and "N00042" not in fake_boi.staff
    form = page.split('id="create-form"')[1].split("</form>")[0]
    after_field = form.split(f'name="{field}"')[1].split("</div>")[0]
    assert words in after_field.replace("&#x27;", "'")
    assert 'value="Lexington"' in form  # the address comes back as typed
    assert not AuditEntry.objects.filter(action="boi.staff.entered").exists()


def test_an_address_is_refused_when_the_connection_does_not_send_households(
    ready_connection, fake_boi, login, hr_operator
):
    ready_connection.household_allowed = False
    ready_connection.save(update_fields=["household_allowed"])
    client = login(hr_operator)
    page = client.get(f"/boi/day/?connection={ready_connection.id}").content.decode()
    assert "This connection does not send addresses to Campus" in page

    response = _post(client, ready_connection, **ADDRESS)
    assert response.status_code == 400 and "N00042" not in fake_boi.staff
    assert "leave the address blank, or allow households" in response.content.decode()
    assert _post(client, ready_connection).status_code == 302  # without one it is created
