"""Staff create, update and search through the BOI API: the guide's demographic, identity,
employment and position rules, every problem named at once."""

from datetime import timedelta

import pytest

from idbridge.audit.models import AuditEntry
from sandbox.models import (
    DistrictAssignment,
    Employment,
    Identity,
    MessageCenterMessage,
    Person,
    TitleCode,
)

from .conftest import errors

pytestmark = pytest.mark.django_db


def test_a_new_staff_member_is_created_with_identity_employment_position_and_ssn_encrypted(
    boi_api, staff_payload, today
):
    response = boi_api.post("staff", staff_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["action"] == "created"
    person = Person.objects.get(staff_number="900001")
    assert body["staff"]["personID"] == person.pk
    assert person.ssn.reveal() == "912-34-5678"
    assert body["staff"]["ssn"] == "***-**-5678"
    identity = Identity.objects.get(person=person)
    assert (identity.last_name, identity.first_name, identity.middle_name) == (
        "Lindqvist",
        "Maren",
        "Ada",
    )
    assert identity.is_current and identity.start_date == today
    assert person.employments.count() == 1 and person.assignments.count() == 1
    assert person.hr_synced_at is not None
    assert AuditEntry.objects.filter(action="campus.boi_staff_created").exists()


def test_gender_school_and_assignment_code_must_exist_and_every_problem_is_named(
    boi_api, staff_payload, refs
):
    payload = staff_payload(gender="Q")
    payload["positions"] = [
        {"schoolNumber": "999", "assignmentCode": "77", "startDate": "2024-08-19"},
        {"schoolNumber": refs["school"], "startDate": "2024-08-19"},
        {"assignmentCode": refs["code"], "titleCode": refs["title"]},
    ]
    response = boi_api.post("staff", payload)
    assert response.status_code == 400
    assert set(errors(response)) == {
        ("gender", "not_found"),
        ("positions[0].schoolNumber", "not_found"),
        ("positions[0].assignmentCode", "not_found"),
        ("positions[1].titleCode", "required"),
        ("positions[2].schoolNumber", "required"),
        ("positions[2].startDate", "required"),
    }
    assert not Person.objects.filter(staff_number="900001").exists()


def test_an_unknown_title_code_is_created_from_its_description(boi_api, staff_payload, refs):
    payload = staff_payload()
    payload["positions"] = [
        {
            "schoolNumber": refs["school"],
            "titleCode": "4A61E262",
            "titleDescription": "Varsity Basketball",
            "startDate": "2023-10-01",
        }
    ]
    response = boi_api.post("staff", payload)
    assert response.status_code == 201, response.content
    title = TitleCode.objects.get(code="4A61E262")
    assert title.description == "Varsity Basketball"
    assert DistrictAssignment.objects.get(person__staff_number="900001").title_code == title
    assert any(t["code"] == "4A61E262" for t in boi_api.get("titleCodes").json()["titleCodes"])


def test_a_new_title_code_without_a_description_is_refused(boi_api, staff_payload, refs):
    payload = staff_payload()
    payload["positions"] = [
        {"schoolNumber": refs["school"], "titleCode": "NEW1", "startDate": "2023-10-01"}
    ]
    response = boi_api.post("staff", payload)
    assert errors(response) == [("positions[0].titleDescription", "required")]


def test_a_position_needs_only_a_title_code_or_an_assignment_code(boi_api, staff_payload, refs):
    payload = staff_payload()
    payload["positions"] = [
        {"schoolNumber": refs["school"], "titleCode": refs["title"], "startDate": "2024-01-02"},
        {"schoolNumber": refs["school"], "assignmentCode": refs["code"], "startDate": "2024-01-02"},
    ]
    assert boi_api.post("staff", payload).status_code == 201
    assert DistrictAssignment.objects.filter(person__staff_number="900001").count() == 2


def test_employments_are_stored_as_sent_without_date_checks(boi_api, staff_payload):
    payload = staff_payload(
        employments=[
            {"hireDate": "2020-01-01", "terminationDate": "2019-06-30"},  # ends before it starts
            {"hireDate": "2019-01-01", "terminationDate": "2021-01-01"},  # overlaps the first
        ]
    )
    assert boi_api.post("staff", payload).status_code == 201
    stored = sorted(
        Employment.objects.filter(person__staff_number="900001").values_list(
            "hire_date", "termination_date"
        )
    )
    assert [(str(h), str(t)) for h, t in stored] == [
        ("2019-01-01", "2021-01-01"),
        ("2020-01-01", "2019-06-30"),
    ]


def test_a_staff_number_campus_already_has_cannot_be_created_again(boi_api, staff_payload):
    assert boi_api.post("staff", staff_payload()).status_code == 201
    response = boi_api.post("staff", staff_payload(lastName="Other"))
    assert response.status_code == 409
    assert errors(response) == [("staffNumber", "duplicate")]
    assert Person.objects.filter(staff_number="900001").count() == 1


def test_a_name_change_end_dates_the_identity_and_starts_a_new_one_dated_today(
    boi_api, staff_payload, today
):
    boi_api.post("staff", staff_payload())
    person = Person.objects.get(staff_number="900001")
    old = Identity.objects.get(person=person)
    old.start_date = today - timedelta(days=400)
    old.save()
    response = boi_api.put("staff/900001", staff_payload(lastName="Lindqvist-Berg"))
    assert response.status_code == 200, response.content
    assert response.json()["changes"]["newIdentity"] is True
    identities = list(Identity.objects.filter(person=person).order_by("id"))
    assert len(identities) == 2
    ended, current = identities
    assert not ended.is_current and ended.last_name == "Lindqvist"
    assert ended.end_date == today - timedelta(days=1)
    assert current.is_current and current.last_name == "Lindqvist-Berg"
    assert current.start_date == today
    assert (current.first_name, current.middle_name) == ("Maren", "Ada")


@pytest.mark.parametrize("field", ["firstName", "middleName"])
def test_a_first_or_middle_name_change_also_makes_a_new_identity(boi_api, staff_payload, field):
    boi_api.post("staff", staff_payload())
    boi_api.put("staff/900001", staff_payload(**{field: "Changed"}))
    assert Identity.objects.filter(person__staff_number="900001").count() == 2


def test_other_fields_are_updated_in_place_without_a_new_identity(boi_api, staff_payload):
    boi_api.post("staff", staff_payload())
    person = Person.objects.get(staff_number="900001")
    response = boi_api.put(
        "staff/900001",
        staff_payload(
            gender="X",
            ssn="912345670",
            birthDate="1985-04-13",
            workPhone="612-555-0199",
            personalEmail="maren@example.net",
        ),
    )
    assert response.status_code == 200
    changed = {c["field"] for c in response.json()["changes"]["demographics"]}
    assert changed == {"gender", "ssn", "birthDate", "workPhone", "personalEmail"}
    assert not response.json()["changes"]["newIdentity"]
    person.refresh_from_db()
    assert person.gender.code == "X" and person.ssn.reveal() == "912-34-5670"
    assert str(person.birth_date) == "1985-04-13" and person.work_phone == "612-555-0199"
    assert Identity.objects.filter(person=person).count() == 1


def test_an_update_of_an_unknown_staff_number_is_not_found(boi_api, staff_payload, district):
    response = boi_api.put("staff/424242", staff_payload("424242"))
    assert response.status_code == 404
    assert errors(response) == [("staffNumber", "not_found")]


def test_the_staff_number_in_the_body_must_be_the_one_in_the_path(boi_api, staff_payload):
    boi_api.post("staff", staff_payload())
    response = boi_api.put("staff/900001", staff_payload("900002"))
    assert response.status_code == 400
    assert errors(response) == [("staffNumber", "conflict")]


def test_an_update_of_a_duplicated_staff_number_is_a_conflict(boi_api, staff_payload):
    boi_api.post("staff", staff_payload())
    twin = Person.objects.create(staff_number="900001")
    response = boi_api.put("staff/900001", staff_payload())
    assert response.status_code == 409
    assert "Check Campus Data" in response.json()["errors"][0]["message"]
    twin.delete()


def test_a_person_without_a_position_is_not_staff_and_not_found(boi_api, staff_payload, refs):
    boi_api.post("staff", staff_payload(positions=[]))
    assert boi_api.get("staff", {"staffNumber": "900001"}).json()["staff"] == []
    by_name = {"lastName": "lindqvist", "firstName": "MAREN", "birthDate": "1985-04-12"}
    assert boi_api.get("staff", by_name).json()["staff"] == []
    position = {
        "schoolNumber": refs["school"],
        "titleCode": refs["title"],
        "startDate": "2025-01-06",
    }
    assert boi_api.post("staff/900001/positions", position).status_code == 201
    found = boi_api.get("staff", {"staffNumber": "900001"}).json()["staff"]
    assert [s["staffNumber"] for s in found] == ["900001"]
    assert [s["staffNumber"] for s in boi_api.get("staff", by_name).json()["staff"]] == ["900001"]
    wrong_birth = {**by_name, "birthDate": "1985-04-13"}
    assert boi_api.get("staff", wrong_birth).json()["staff"] == []


def test_a_staff_search_needs_a_staff_number_or_a_name(boi_api, district):
    response = boi_api.get("staff", {"lastName": "Only"})
    assert response.status_code == 400
    assert errors(response) == [("staffNumber", "required")]
    response = boi_api.get("staff", {"lastName": "A", "firstName": "B", "birthDate": "13/01/1990"})
    assert errors(response) == [("birthDate", "invalid")]


def test_seeded_staff_are_found_by_staff_number_with_their_positions(boi_api, district):
    person = (
        Person.objects.filter(assignments__isnull=False)
        .exclude(staff_number="")
        .order_by("id")
        .first()
    )
    found = boi_api.get("staff", {"staffNumber": person.staff_number}).json()["staff"]
    assert person.pk in [s["personID"] for s in found]
    record = next(s for s in found if s["personID"] == person.pk)
    assert len(record["positions"]) == person.assignments.count()
    assert record["ssn"].startswith("***-**-")


def test_hr_staff_notifications_reach_the_message_center(
    boi_api, staff_payload, district_admin, hr_operator
):
    from sandbox.boi.notifications import notification_save, tool_rights_set

    tool_rights_set(
        user=district_admin, district_employment=True, district_assignments=False, actor="t"
    )
    notification_save(kind="hr_staff", recipient_ids=[district_admin.pk], actor="t")
    boi_api.post("staff", staff_payload())
    boi_api.put("staff/900001", staff_payload(workPhone="612-555-0100"))
    subjects = list(
        MessageCenterMessage.objects.filter(user=district_admin)
        .order_by("id")
        .values_list("subject", flat=True)
    )
    assert subjects == [
        "HR created staff member 900001 (Lindqvist, Maren)",
        "HR updated staff member 900001 (Lindqvist, Maren)",
    ]
    assert not MessageCenterMessage.objects.filter(user=hr_operator).exists()


def test_a_search_that_finds_nobody_costs_five_queries_with_the_token_check_and_counter(
    boi_api, district, django_assert_num_queries
):
    boi_api.token  # noqa: B018 - fetched before counting
    by_number = {"staffNumber": "nobody-has-this"}
    by_name = {"lastName": "Nobody", "firstName": "Here", "birthDate": "1980-01-01"}
    for params in (by_number, by_name):
        boi_api.get("staff", params)  # the endpoint's counter row exists from here on
        # fault switches, counter, token, its client, the people searched for
        with django_assert_num_queries(5):
            assert boi_api.get("staff", params).json()["staff"] == []


def test_the_name_search_reads_the_lower_case_name_index(district):
    from django.db import connection

    from sandbox.boi.search import people_query

    if connection.vendor != "sqlite":
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    sql, params = people_query("", "Lindqvist", "Maren", "1980-01-01")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "campus_identity_lower_name_idx" in plan


def test_values_longer_than_campus_holds_are_refused_not_cut(boi_api, staff_payload):
    payload = staff_payload()
    payload.update(staffNumber="9" * 21, lastName="B" * 101, workPhone="5" * 26)
    response = boi_api.post("staff", payload)
    assert sorted(errors(response)) == [
        ("lastName", "too_long"),
        ("staffNumber", "too_long"),
        ("workPhone", "too_long"),
    ]
