"""Position (district assignment) update rules: matching, updating, the complete set."""

import pytest

from boi.rules.positions import (
    ExistingPosition,
    Position,
    PositionPlan,
    PositionUpdate,
    identifies,
    is_staff,
    plan_positions,
    position_from_payload,
)

# The guide's example: varsity basketball coach at school 010 from 2023-10-01.
COACH = ExistingPosition(1, "010", "4A61E262", "20", "2023-10-01", None)
TEACHER = ExistingPosition(2, "010", "T100", "31", "2015-08-20", None)
OLD_JOB = ExistingPosition(3, "020", "T100", "31", "2010-08-20", "2015-06-10", is_linked=True)


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (Position("010", "4A61E262", "20"), True),
        (Position("010", "4A61E262", None), True),  # title code only
        (Position("010", None, "20"), True),  # assignment code only
        (Position("020", "4A61E262", "20"), False),  # other school
        (Position("010", "4A61E262", "31"), False),  # other assignment code
        (Position("010", "XX", "20"), False),  # other title code
        (Position("010", None, None), False),  # nothing to identify it by
    ],
)
def test_a_position_is_identified_by_school_and_title_and_or_assignment_code(incoming, expected):
    assert identifies(COACH, incoming) is expected


def test_a_match_on_start_date_updates_the_end_date():
    season_over = Position("010", "4A61E262", "20", "2023-10-01", "2024-03-15")
    plan = plan_positions([COACH, TEACHER], [season_over], complete_set=False)
    assert plan == PositionPlan(updates=(PositionUpdate(1, "endDate", None, "2024-03-15"),))


def test_a_match_on_end_date_updates_the_start_date():
    earlier_start = Position("010", "4A61E262", "20", "2023-09-15", None)
    plan = plan_positions([COACH, TEACHER], [earlier_start], complete_set=False)
    assert plan.updates == (PositionUpdate(1, "startDate", "2023-10-01", "2023-09-15"),)
    assert plan.creates == ()


def test_every_matching_position_is_updated():
    twin = ExistingPosition(9, "010", "4A61E262", "20", "2023-10-01", None)
    season_over = Position("010", "4A61E262", None, "2023-10-01", "2024-03-15")
    plan = plan_positions([COACH, twin], [season_over], complete_set=False)
    assert [update.position_id for update in plan.updates] == [1, 9]


def test_a_position_that_matches_nothing_is_created():
    new_job = Position("020", None, "20", "2024-08-20", None)
    plan = plan_positions([COACH], [new_job], complete_set=False)
    assert plan.creates == (new_job,)
    assert plan.updates == () and plan.removals == ()


def test_a_position_already_right_is_unchanged():
    plan = plan_positions(
        [COACH], [Position("010", "4A61E262", "20", "2023-10-01", None)], complete_set=False
    )
    assert plan == PositionPlan(unchanged=(1,))
    assert not plan.changes_anything


def test_duplicate_positions_are_not_refused():
    same = Position("020", None, "20", "2024-08-20", None)
    plan = plan_positions([], [same, same], complete_set=False)
    assert plan.creates == (same, same)


def test_the_positions_api_never_removes_positions():
    plan = plan_positions([COACH, TEACHER], [], complete_set=False)
    assert plan.removals == () and plan.kept_linked == ()


def test_positions_on_a_staff_update_are_the_complete_set():
    plan = plan_positions(
        [COACH, TEACHER, OLD_JOB], [Position("010", "T100", "31", "2015-08-20")], complete_set=True
    )
    assert plan.unchanged == (2,)
    assert plan.removals == (1,)  # the coach position was left out
    assert plan.kept_linked == (3,)  # left out too, but linked to other Campus activity


def test_an_empty_complete_set_removes_every_unlinked_position():
    plan = plan_positions([COACH, TEACHER, OLD_JOB], [], complete_set=True)
    assert (plan.removals, plan.kept_linked) == ((1, 2), (3,))


def test_a_position_matched_by_start_date_is_not_re_dated_by_another_positions_end_date():
    # Both incoming positions are open; the second must not move the first's start date.
    same_start = Position("010", "T100", "31", "2015-08-20", None)
    second_stint = Position("010", "T100", "31", "2024-01-08", None)
    plan = plan_positions([TEACHER], [same_start, second_stint], complete_set=True)
    assert plan.unchanged == (2,)
    assert plan.updates == ()
    assert plan.creates == (second_stint,)


def test_an_end_date_match_is_claimed_by_the_first_position_that_makes_it():
    first = Position("010", "T100", "31", "2015-08-01", None)
    second = Position("010", "T100", "31", "2015-09-01", None)
    plan = plan_positions([TEACHER], [first, second], complete_set=False)
    assert plan.updates == (PositionUpdate(2, "startDate", "2015-08-20", "2015-08-01"),)
    assert plan.creates == (second,)


def test_a_payload_position_becomes_a_position():
    payload = {
        "schoolNumber": " 010 ",
        "assignmentCode": "20",
        "titleCode": "",
        "titleDescription": "Varsity Basketball",
        "startDate": "2023-10-01",
        "endDate": "",
    }
    assert position_from_payload(payload) == Position("010", None, "20", "2023-10-01", None)


@pytest.mark.parametrize(("positions", "expected"), [([], False), ([COACH], True)])
def test_a_person_is_staff_only_once_they_have_a_position(positions, expected):
    assert is_staff(positions) is expected
