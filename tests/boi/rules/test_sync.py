"""Staff synchronization rules: Check Campus Data, the validate report, the session order."""

import pytest

from boi.rules.addresses import normalize_address
from boi.rules.errors import RuleError
from boi.rules.households import HouseholdView
from boi.rules.positions import ExistingPosition, PositionUpdate
from boi.rules.staff import FieldChange, Mappings, TitleToCreate
from boi.rules.sync import (
    CampusStaff,
    Employment,
    EmploymentUpdate,
    SyncState,
    check_campus_data,
    next_sync_state,
    plan_employments,
    recommended_commit_api,
    report_entry,
    validate_sync,
)

DISTRICT = Mappings(
    genders=frozenset({"F", "M"}),
    school_numbers=frozenset({"010", "020"}),
    assignment_codes=frozenset({"20", "31"}),
    title_codes=frozenset({"4A61E262", "T100"}),
)
HOME = {
    "fullStreetAddress": "4321 South Lexington Ave SE Apt 45",
    "city": "Blaine",
    "state": "MN",
    "zip": "55123",
}


def hr(number="E1001", **overrides):
    record = {
        "staffNumber": number,
        "lastName": "Lindqvist",
        "firstName": "Maja",
        "gender": "F",
        "workPhone": "763-555-0100",
        "employments": [{"hireDate": "2015-08-20"}],
        "positions": [
            {
                "schoolNumber": "010",
                "titleCode": "T100",
                "assignmentCode": "31",
                "startDate": "2015-08-20",
            }
        ],
        "household": {"householdLocations": [{"address": HOME}]},
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not ...}


def campus(person_id=1, number="E1001", **overrides):
    values = {
        "demographics": {
            "lastName": "Lindqvist",
            "firstName": "Maja",
            "gender": "F",
            "workPhone": "763-555-0100",
        },
        "employments": (Employment("2015-08-20"),),
        "positions": (ExistingPosition(10, "010", "T100", "31", "2015-08-20"),),
        "household": HouseholdView(50, is_staff_household=True, member_count=1),
    }
    values.update(overrides)
    return CampusStaff(person_id, number, **values)


# --- Check Campus Data ----------------------------------------------------------------------


def test_check_campus_data_finds_duplicate_and_missing_staff_numbers():
    report = check_campus_data([(1, "E1"), (2, "E2"), (3, " E1 "), (4, None), (5, "")])
    assert report.duplicates == (("E1", (1, 3)),)
    assert report.missing == (4, 5)
    assert not report.is_clean


def test_unique_staff_numbers_are_clean():
    assert check_campus_data([(1, "E1"), (2, "E2")]).is_clean


# --- matching by staff number ---------------------------------------------------------------


def test_only_staff_whose_numbers_match_are_updated_the_rest_of_hr_is_added():
    report = validate_sync(
        [campus(1, "E1001"), campus(2, "E2002"), campus(3, None)],
        [hr("E1001"), hr("E3003")],
        DISTRICT,
    )
    assert [(e.staff_number, e.action, e.person_id) for e in report.entries] == [
        ("E1001", "update", 1),
        ("E3003", "add", None),
    ]
    assert report.untouched == (2, 3)  # Campus staff HR does not have are left alone
    assert [e.staff_number for e in report.staff_to_add] == ["E3003"]


def test_a_staff_number_twice_in_hr_is_a_conflict():
    report = validate_sync([], [hr("E1"), hr("E1")], DISTRICT)
    assert [(e.action, e.errors[0].code) for e in report.entries] == [("error", "duplicate")] * 2


def test_a_staff_number_shared_by_two_campus_people_is_a_conflict():
    report = validate_sync([campus(1, "E1"), campus(2, "E1")], [hr("E1")], DISTRICT)
    (entry,) = report.errors
    assert "Check Campus Data" in entry.errors[0].message
    assert report.untouched == (1, 2)


def test_an_invalid_hr_record_is_reported_with_every_error():
    entry = report_entry(None, hr(gender="X", lastName=""), DISTRICT)
    assert entry.action == "error"
    assert [(e.field, e.code) for e in entry.errors] == [
        ("lastName", "required"),
        ("gender", "not_found"),
    ]


# --- what the validate report says -----------------------------------------------------------


def test_an_unchanged_staff_member_reports_no_changes():
    entry = report_entry(
        campus(), hr(), DISTRICT, find_address_by_key={normalize_address(HOME)[0].key: 77}
    )
    assert entry.action == "update"
    assert entry.demographic_changes == ()
    assert not entry.employment_changes.changes_anything
    assert not entry.assignment_changes.changes_anything
    assert entry.addresses_to_add == ()
    assert entry.household.action == "update"


def test_demographic_changes_list_field_old_and_new_and_flag_a_new_identity():
    entry = report_entry(campus(), hr(lastName="Berg", workPhone="763-555-0199"), DISTRICT)
    assert entry.demographic_changes == (
        FieldChange("lastName", "Lindqvist", "Berg", new_identity=True),
        FieldChange("workPhone", "763-555-0100", "763-555-0199"),
    )
    assert entry.new_identity


def test_employment_and_assignment_changes_are_reported():
    record = hr(
        employments=[{"hireDate": "2015-08-20", "terminationDate": "2024-06-10"}],
        positions=[
            {
                "schoolNumber": "010",
                "titleCode": "T100",
                "assignmentCode": "31",
                "startDate": "2015-08-20",
                "endDate": "2024-06-10",
            }
        ],
    )
    entry = report_entry(campus(), record, DISTRICT)
    assert entry.employment_changes.updates == (EmploymentUpdate("2015-08-20", None, "2024-06-10"),)
    assert entry.assignment_changes.updates == (PositionUpdate(10, "endDate", None, "2024-06-10"),)


def test_a_new_staff_member_lists_positions_titles_and_address_to_add():
    record = hr(
        positions=[
            {
                "schoolNumber": "010",
                "titleCode": "JV01",
                "titleDescription": "JV Volleyball",
                "startDate": "2024-08-20",
            }
        ]
    )
    entry = report_entry(None, record, DISTRICT)
    assert entry.action == "add"
    assert len(entry.assignment_changes.creates) == 1
    assert entry.titles_to_create == (TitleToCreate("JV01", "JV Volleyball"),)
    assert [a.key for a in entry.addresses_to_add] == ["4321|S|LEXINGTON|AVE|SE|45|MN|55123"]
    assert entry.household.action == "create"


def test_an_existing_address_is_reused_not_added():
    existing = normalize_address({**HOME, "fullStreetAddress": "4321 S Lexington Avenue SE #45"})
    entry = report_entry(None, hr(), DISTRICT, find_address_by_key={existing[0].key: 77})
    assert entry.addresses_to_add == ()


def test_a_new_address_shared_by_two_staff_is_added_once():
    report = validate_sync([], [hr("E1"), hr("E2")], DISTRICT)
    assert len(report.addresses_to_add) == 1


def test_a_shared_household_is_ignored_and_no_address_is_added():
    shared = campus(household=HouseholdView(50, is_staff_household=True, member_count=3))
    entry = report_entry(shared, hr(), DISTRICT)
    assert entry.household.action == "ignore"
    assert entry.addresses_to_add == ()
    assert any("shared" in note for note in entry.notes)


def test_with_the_preference_off_no_address_is_added():
    entry = report_entry(None, hr(), DISTRICT, household_allowed=False)
    assert entry.household.action == "ignore"
    assert entry.addresses_to_add == ()


def test_a_new_staff_member_without_positions_is_noted_as_not_yet_staff():
    entry = report_entry(None, hr(positions=...), DISTRICT)
    assert any("not treat this person as staff" in note for note in entry.notes)


def test_positions_left_out_of_an_update_are_removed_unless_linked():
    positions = (
        ExistingPosition(10, "010", "T100", "31", "2015-08-20"),
        ExistingPosition(11, "020", "T100", "31", "2010-08-20", "2015-06-01", is_linked=True),
        ExistingPosition(12, "020", "4A61E262", None, "2012-10-01", "2013-03-01"),
    )
    entry = report_entry(campus(positions=positions), hr(), DISTRICT)
    assert entry.assignment_changes.removals == (12,)
    assert entry.assignment_changes.kept_linked == (11,)
    assert any("linked to other Campus activity" in note for note in entry.notes)


def test_an_update_without_positions_leaves_positions_alone():
    entry = report_entry(campus(), hr(positions=...), DISTRICT)
    assert not entry.assignment_changes.changes_anything


# --- employments ----------------------------------------------------------------------------


def test_employments_are_told_apart_by_hire_date_and_never_removed():
    current = [Employment("2005-08-20", "2009-06-01"), Employment("2015-08-20")]
    plan = plan_employments(
        current, [Employment("2015-08-20", "2024-06-10"), Employment("2024-08-19")]
    )
    assert plan.updates == (EmploymentUpdate("2015-08-20", None, "2024-06-10"),)
    assert plan.creates == (Employment("2024-08-19"),)


# --- the session ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["start", "transfer", "transfer", "end_transfer", "validate", "commit"], "committed"),
        (["start", "transfer", "end_transfer", "validate", "validate", "commit_job"], "committed"),
        (["start", "transfer", "end_transfer", "start", "transfer"], "transferring"),
    ],
)
def test_a_sync_runs_start_transfer_end_validate_commit(steps, final):
    state = SyncState.NOT_STARTED
    for step in steps:
        state = next_sync_state(state, step)
        assert isinstance(state, SyncState), state
    assert state == SyncState(final)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (SyncState.NOT_STARTED, "transfer"),
        (SyncState.TRANSFER_ENDED, "transfer"),  # changed HR data: start again
        (SyncState.TRANSFERRING, "validate"),
        (SyncState.TRANSFER_ENDED, "commit"),  # commit only after validate
        (SyncState.TRANSFERRING, "commit_job"),
        (SyncState.COMMITTED, "commit"),
    ],
)
def test_sync_steps_out_of_order_are_refused(state, action):
    result = next_sync_state(state, action)
    assert isinstance(result, RuleError)
    assert result.code == "not_allowed"


@pytest.mark.parametrize(
    ("count", "api"), [(1, "commit"), (499, "commit"), (500, "commitJob"), (50_000, "commitJob")]
)
def test_large_syncs_are_committed_by_a_background_job(count, api):
    assert recommended_commit_api(count) == api
