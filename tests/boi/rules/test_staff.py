"""Staff payload rules: mapping lists, positions, dates, identity fields, SSN, name changes."""

import pytest

from boi.rules.errors import errors_body
from boi.rules.staff import (
    FieldChange,
    Mappings,
    TitleToCreate,
    demographic_changes,
    mask_ssn,
    name_changed,
    validate_staff,
)

DISTRICT = Mappings(
    genders=frozenset({"F", "M", "N"}),
    school_numbers=frozenset({"010", "020"}),
    assignment_codes=frozenset({"20", "31"}),
    title_codes=frozenset({"4A61E262"}),
)

# The guide's example: a teacher who is also the varsity basketball coach.
COACH = {
    "schoolNumber": "010",
    "assignmentCode": "20",
    "titleCode": "4A61E262",
    "titleDescription": "Varsity Basketball",
    "startDate": "2023-10-01",
    "endDate": "",
}


def staff(**overrides):
    payload = {
        "staffNumber": "E1001",
        "lastName": "Lindqvist",
        "firstName": "Maja",
        "middleName": "K",
        "gender": "F",
        "ssn": "123-45-6789",
        "birthDate": "1985-04-12",
        "workEmail": "maja.lindqvist@district.example",
        "employments": [{"hireDate": "2015-08-20", "terminationDate": None}],
        "positions": [COACH],
        "household": {
            "householdLocations": [
                {
                    "address": {
                        "fullStreetAddress": "4321 South Lexington Ave SE Apt 45",
                        "city": "Blaine",
                        "state": "MN",
                        "zip": "55123",
                    }
                }
            ]
        },
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not ...}


def problems(payload, **kwargs):
    return [(e.field, e.code) for e in validate_staff(payload, DISTRICT, **kwargs).errors]


def test_the_guides_coach_example_is_a_valid_staff_member():
    check = validate_staff(staff(), DISTRICT)
    assert check.ok
    assert check.titles_to_create == ()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"staffNumber": ...}, [("staffNumber", "required")]),
        ({"lastName": "  "}, [("lastName", "required")]),
        ({"firstName": None}, [("firstName", "required")]),
        ({"gender": ...}, [("gender", "required")]),
        ({"gender": "Female"}, [("gender", "not_found")]),
        ({"staffNumber": "E-1001"}, [("staffNumber", "invalid")]),
        ({"staffNumber": 1001}, [("staffNumber", "invalid")]),
        ({"birthDate": "04/12/1985"}, [("birthDate", "invalid")]),
        ({"birthDate": "1985-02-30"}, [("birthDate", "invalid")]),
        ({"birthDate": "19850412"}, [("birthDate", "invalid")]),
        ({"workEmail": "maja at district"}, [("workEmail", "invalid")]),
        ({"nickname": "Mo"}, [("nickname", "unknown_field")]),
        ({"employments": {"hireDate": "2015-08-20"}}, [("employments", "invalid")]),
        ({"positions": COACH}, [("positions", "invalid")]),
        ({"household": "yes"}, [("household", "invalid")]),
    ],
)
def test_staff_payload_problems_are_named(overrides, expected):
    assert problems(staff(**overrides)) == expected


def test_middle_name_and_contact_fields_are_optional():
    payload = staff(
        middleName=...,
        ssn=...,
        birthDate=...,
        workEmail=...,
        employments=...,
        positions=...,
        household=...,
    )
    assert problems(payload) == []


def test_every_problem_of_a_staff_member_is_reported_at_once():
    payload = staff(
        staffNumber=...,
        gender="X",
        ssn="12345",
        birthDate="1985-13-01",
        positions=[{"schoolNumber": "999", "startDate": "soon"}],
    )
    assert problems(payload) == [
        ("staffNumber", "required"),
        ("gender", "not_found"),
        ("ssn", "invalid"),
        ("birthDate", "invalid"),
        ("positions[0].schoolNumber", "not_found"),
        ("positions[0].titleCode", "required"),
        ("positions[0].startDate", "invalid"),
    ]


@pytest.mark.parametrize("ssn", ["123-45-6789", "123456789", " 123456789 "])
def test_an_ssn_is_nine_digits_with_or_without_dashes(ssn):
    assert problems(staff(ssn=ssn)) == []


@pytest.mark.parametrize(
    "ssn", ["12345678", "1234567890", "123-45-678X", "123 45 6789", "12-345-6789"]
)
def test_a_malformed_ssn_is_refused_without_echoing_it(ssn):
    (error,) = validate_staff(staff(ssn=ssn), DISTRICT).errors
    assert (error.field, error.code) == ("ssn", "invalid")
    assert ssn.strip() not in str(errors_body([error]))
    assert not any(character.isdigit() for character in error.message)


# --- positions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ({**COACH, "schoolNumber": ""}, [("positions[0].schoolNumber", "required")]),
        ({**COACH, "schoolNumber": "10"}, [("positions[0].schoolNumber", "not_found")]),
        ({**COACH, "assignmentCode": "99"}, [("positions[0].assignmentCode", "not_found")]),
        ({**COACH, "startDate": None}, [("positions[0].startDate", "required")]),
        ({**COACH, "endDate": "2024-06-31"}, [("positions[0].endDate", "invalid")]),
        (
            {**COACH, "titleCode": "", "assignmentCode": ""},
            [("positions[0].titleCode", "required")],
        ),
        ({**COACH, "schooNumber": "010"}, [("positions[0].schooNumber", "unknown_field")]),
        (
            {**COACH, "schoolNumber": 10},
            [("positions[0].schoolNumber", "invalid"), ("positions[0].schoolNumber", "required")],
        ),
        ("010", [("positions[0]", "invalid")]),
    ],
)
def test_position_problems_are_named(position, expected):
    assert problems(staff(positions=[position])) == expected


@pytest.mark.parametrize(
    "position",
    [
        {"schoolNumber": "010", "titleCode": "4A61E262", "startDate": "2023-10-01"},
        {"schoolNumber": "010", "assignmentCode": "20", "startDate": "2023-10-01"},
    ],
)
def test_a_position_needs_only_a_title_code_or_an_assignment_code(position):
    assert problems(staff(positions=[position])) == []


def test_position_dates_are_not_checked_against_each_other():
    backwards = {**COACH, "startDate": "2024-06-01", "endDate": "2023-10-01"}
    assert problems(staff(positions=[backwards])) == []


def test_an_unknown_title_code_is_to_be_created_from_its_description():
    new_title = {**COACH, "titleCode": "JV01", "titleDescription": "JV Volleyball"}
    check = validate_staff(staff(positions=[new_title, new_title, COACH]), DISTRICT)
    assert check.ok
    assert check.titles_to_create == (TitleToCreate("JV01", "JV Volleyball"),)


def test_an_unknown_title_code_without_a_description_is_an_error():
    new_title = {**COACH, "titleCode": "JV01", "titleDescription": ""}
    assert problems(staff(positions=[new_title])) == [("positions[0].titleDescription", "required")]


def test_positions_are_optional_but_an_empty_list_is_a_list():
    assert problems(staff(positions=[])) == []


# --- employments ----------------------------------------------------------------------------


def test_employments_are_stored_as_sent_without_date_order_checks():
    rehires = [
        {"hireDate": "2010-08-20", "terminationDate": "2009-06-01"},  # before the hire
        {"hireDate": "2009-01-01", "terminationDate": None},  # overlaps
    ]
    assert problems(staff(employments=rehires)) == []


@pytest.mark.parametrize(
    ("employment", "expected"),
    [
        ({"terminationDate": "2020-01-01"}, [("employments[0].hireDate", "required")]),
        ({"hireDate": "2020-1-1"}, [("employments[0].hireDate", "invalid")]),
        (
            {"hireDate": "2020-01-01", "terminationDate": "never"},
            [("employments[0].terminationDate", "invalid")],
        ),
        ({"hireDate": "2020-01-01", "reason": "x"}, [("employments[0].reason", "unknown_field")]),
    ],
)
def test_employment_problems_are_named(employment, expected):
    assert problems(staff(employments=[employment])) == expected


# --- household ------------------------------------------------------------------------------


def test_household_addresses_are_checked_with_their_path():
    household = {
        "householdLocations": [
            {
                "address": {
                    "fullStreetAddress": "1 Main St",
                    "number": "1",
                    "city": "Blaine",
                    "state": "MN",
                    "zip": "55123",
                }
            }
        ]
    }
    assert problems(staff(household=household)) == [
        ("household.householdLocations[0].address.fullStreetAddress", "conflict")
    ]


def test_an_unparseable_household_address_is_reported():
    household = {
        "householdLocations": [
            {
                "address": {
                    "fullStreetAddress": "General Delivery",
                    "city": "Blaine",
                    "state": "MN",
                    "zip": "55123",
                }
            }
        ]
    }
    assert problems(staff(household=household)) == [
        ("household.householdLocations[0].address.fullStreetAddress", "unparseable")
    ]


def test_household_data_is_not_checked_when_the_preference_ignores_it():
    household = {"householdLocations": [{"address": {"street": "Main"}}]}
    assert problems(staff(household=household), household_allowed=False) == []
    assert problems(staff(household=household), household_allowed=True) != []


# --- updates: identity and in-place changes ----------------------------------------------------

CURRENT = {
    "lastName": "Lindqvist",
    "firstName": "Maja",
    "middleName": "K",
    "gender": "F",
    "ssn": "123-45-6789",
    "workPhone": "763-555-0100",
}


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        ({"lastName": "Lindqvist-Berg"}, True),
        ({"firstName": "Maya"}, True),
        ({"middleName": "Karin"}, True),
        ({"middleName": ""}, True),  # sent blank: cleared
        ({"lastName": " Lindqvist "}, False),
        ({}, False),  # left out: unchanged
        ({"gender": "N", "workPhone": "763-555-0199"}, False),
    ],
)
def test_a_change_of_last_first_or_middle_name_means_a_new_identity(incoming, expected):
    assert name_changed(CURRENT, incoming) is expected


def test_other_demographics_change_in_place():
    changes = demographic_changes(CURRENT, {**CURRENT, "gender": "N", "workPhone": "763-555-0199"})
    assert changes == [
        FieldChange("gender", "F", "N"),
        FieldChange("workPhone", "763-555-0100", "763-555-0199"),
    ]


def test_an_ssn_change_is_reported_masked_and_formatting_is_not_a_change():
    assert demographic_changes(CURRENT, {"ssn": "123456789"}) == []
    (change,) = demographic_changes(CURRENT, {"ssn": "987-65-4321"})
    assert change == FieldChange("ssn", "***-**-6789", "***-**-4321")


def test_name_changes_are_flagged_as_new_identity():
    (change,) = demographic_changes(CURRENT, {"lastName": "Berg"})
    assert change == FieldChange("lastName", "Lindqvist", "Berg", new_identity=True)


@pytest.mark.parametrize(
    ("ssn", "masked"), [("123-45-6789", "***-**-6789"), ("", ""), (None, None)]
)
def test_an_ssn_is_masked_to_its_last_four_digits(ssn, masked):
    assert mask_ssn(ssn) == masked
