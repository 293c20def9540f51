"""Positions through the BOI API: add, update by the matching rules, and a staff update's
positions as the complete set (linked positions stay and are reported)."""

import pytest

from sandbox.models import DistrictAssignment, Person

from .conftest import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def hired(boi_api, staff_payload, refs):
    """Staff member 900001 with three positions."""

    def position(school, start, end=None, title=None, code=None):
        return {
            "schoolNumber": school,
            "titleCode": title,
            "assignmentCode": code,
            "startDate": start,
            "endDate": end,
        }

    positions = [
        position(refs["school"], "2022-08-22", None, refs["title"], refs["code"]),
        position(refs["school2"], "2021-08-23", "2022-06-10", refs["title"], None),
        position(refs["school2"], "2020-08-24", "2021-06-11", None, refs["code"]),
    ]
    response = boi_api.post("staff", staff_payload(positions=positions))
    assert response.status_code == 201, response.content
    return {"positions": positions, "person": Person.objects.get(staff_number="900001")}


def rows(person):
    return sorted(
        (
            a.school.number,
            a.title_code.code if a.title_code else "",
            str(a.start_date),
            str(a.end_date or ""),
        )
        for a in DistrictAssignment.objects.filter(person=person).select_related(
            "school", "title_code"
        )
    )


def test_a_match_on_school_codes_and_start_date_updates_the_end_date(boi_api, hired, refs):
    update = {**hired["positions"][0], "endDate": "2026-06-12"}
    response = boi_api.put("staff/900001/positions", update)
    assert response.status_code == 200, response.content
    changed = response.json()["districtAssignments"]["updated"]
    assert [(c["field"], c["old"], c["new"]) for c in changed] == [("endDate", None, "2026-06-12")]
    assert (refs["school"], refs["title"], "2022-08-22", "2026-06-12") in rows(hired["person"])
    assert DistrictAssignment.objects.filter(person=hired["person"]).count() == 3


def test_a_match_on_school_codes_and_end_date_updates_the_start_date(boi_api, hired, refs):
    update = {**hired["positions"][1], "startDate": "2021-09-01"}
    response = boi_api.put("staff/900001/positions", {"positions": [update]})
    changed = response.json()["districtAssignments"]["updated"]
    assert [(c["field"], c["new"]) for c in changed] == [("startDate", "2021-09-01")]
    assert (refs["school2"], refs["title"], "2021-09-01", "2022-06-10") in rows(hired["person"])


def test_a_position_is_identified_by_the_title_code_or_the_assignment_code_hr_sends(
    boi_api, hired, refs
):
    # Only the assignment code: the third position (assignment code only) and the first
    # (school differs) - only the third matches on school + code + start date.
    update = {
        "schoolNumber": refs["school2"],
        "assignmentCode": refs["code"],
        "startDate": "2020-08-24",
        "endDate": "2021-06-30",
    }
    response = boi_api.put("staff/900001/positions", update)
    assert [c["new"] for c in response.json()["districtAssignments"]["updated"]] == ["2021-06-30"]


def test_every_matching_position_is_updated(boi_api, hired, refs):
    twin = {**hired["positions"][0]}
    assert boi_api.post("staff/900001/positions", twin).status_code == 201  # identical: allowed
    assert DistrictAssignment.objects.filter(person=hired["person"]).count() == 4
    response = boi_api.put("staff/900001/positions", {**twin, "endDate": "2026-01-31"})
    assert len(response.json()["districtAssignments"]["updated"]) == 2
    ended = DistrictAssignment.objects.filter(
        person=hired["person"], start_date="2022-08-22", end_date="2026-01-31"
    )
    assert ended.count() == 2


def test_an_update_without_a_match_adds_the_position_and_removes_nothing(boi_api, hired, refs):
    # Same school and title as the open first position, but neither its start date nor its
    # (blank) end date: no match.
    new = {
        "schoolNumber": refs["school"],
        "titleCode": refs["title"],
        "startDate": "2025-01-06",
        "endDate": "2025-06-13",
    }
    response = boi_api.put("staff/900001/positions", new)
    assert len(response.json()["districtAssignments"]["added"]) == 1
    assert DistrictAssignment.objects.filter(person=hired["person"]).count() == 4


def test_adding_positions_checks_them_like_a_create(boi_api, hired):
    response = boi_api.post(
        "staff/900001/positions", {"positions": [{"schoolNumber": "999", "startDate": "x"}]}
    )
    assert response.status_code == 400
    assert set(errors(response)) == {
        ("positions[0].schoolNumber", "not_found"),
        ("positions[0].titleCode", "required"),
        ("positions[0].startDate", "invalid"),
    }
    response = boi_api.post("staff/123/positions", {"schoolNumber": "010"})
    assert response.status_code in (400, 404)


def test_a_staff_update_with_positions_treats_them_as_the_complete_set(
    boi_api, hired, staff_payload
):
    person = hired["person"]
    keep, linked, removable = DistrictAssignment.objects.filter(person=person).order_by(
        "-start_date"
    )
    linked.is_linked_to_other_activity = True
    linked.save()
    response = boi_api.put("staff/900001", staff_payload(positions=[hired["positions"][0]]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["keptLinkedPositions"] == [linked.pk]
    assert body["changes"]["districtAssignments"]["removed"] == [removable.pk]
    assert any("linked to other Campus activity" in note for note in body["notes"])
    left = set(DistrictAssignment.objects.filter(person=person).values_list("pk", flat=True))
    assert left == {keep.pk, linked.pk}


def test_a_staff_update_without_positions_leaves_them_alone(boi_api, hired, staff_payload):
    payload = staff_payload()
    del payload["positions"]
    assert boi_api.put("staff/900001", payload).status_code == 200
    assert DistrictAssignment.objects.filter(person=hired["person"]).count() == 3


def test_the_generator_marks_some_positions_as_linked_to_other_activity(district):
    assert DistrictAssignment.objects.filter(is_linked_to_other_activity=True).exists()
    assert DistrictAssignment.objects.filter(is_linked_to_other_activity=False).exists()
