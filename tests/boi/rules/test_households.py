"""Household rules: create, update only when alone in a staff household, else ignore."""

import pytest

from boi.rules.households import (
    HouseholdDecision,
    HouseholdView,
    decide_household,
    household_settled,
)

ALONE = HouseholdView(5, is_staff_household=True, member_count=1)
SHARED = HouseholdView(6, is_staff_household=True, member_count=4)
FAMILY_ALONE = HouseholdView(7, is_staff_household=False, member_count=1)


@pytest.mark.parametrize(
    ("is_create", "current", "action", "household_id"),
    [
        (True, None, "create", None),  # new staff member: new staff household
        (False, ALONE, "update", 5),  # the only member of a staff household
        (False, SHARED, "ignore", 6),  # shared: students' addresses must not move
        (False, FAMILY_ALONE, "ignore", 7),  # not a staff household
        (False, None, "create", None),  # no household yet
    ],
)
def test_what_happens_to_the_household_sent_with_a_staff_member(
    is_create, current, action, household_id
):
    decision = decide_household(
        is_create=is_create, has_household_data=True, household_allowed=True, current=current
    )
    assert (decision.action, decision.household_id) == (action, household_id)


def test_a_shared_household_is_ignored_and_the_reason_says_so():
    decision = decide_household(
        is_create=False, has_household_data=True, household_allowed=True, current=SHARED
    )
    assert "shared with 3 other member(s)" in decision.reason


@pytest.mark.parametrize("current", [None, ALONE])
def test_with_the_preference_off_household_and_address_data_are_ignored(current):
    decision = decide_household(
        is_create=current is None,
        has_household_data=True,
        household_allowed=False,
        current=current,
    )
    assert decision.action == "ignore"
    assert "preference" in decision.reason


def test_no_household_data_means_nothing_to_do():
    decision = decide_household(
        is_create=True, has_household_data=False, household_allowed=True, current=None
    )
    assert decision.action == "none"


AT_41 = HouseholdView(5, is_staff_household=True, member_count=1, address_ids=frozenset({41}))
UPDATE = HouseholdDecision("update", "staff household with this member only: it is updated", 5)


@pytest.mark.parametrize(
    ("sent", "creates_address", "action"),
    [
        ({41}, False, "unchanged"),  # already at the address sent: nothing to write
        ({42}, False, "update"),  # moves to another address Campus has
        (set(), True, "update"),  # moves to a new address
        ({41}, True, "update"),  # keeps 41 and gains a new one
        ({41, 42}, False, "update"),  # gains a second location
        (set(), False, "update"),  # every location sent is ended
    ],
)
def test_an_update_that_keeps_the_household_as_it_is_is_unchanged(sent, creates_address, action):
    decision = household_settled(
        UPDATE, AT_41, sent_address_ids=frozenset(sent), creates_address=creates_address
    )
    assert decision.action == action


def test_only_an_update_can_turn_out_unchanged():
    create = HouseholdDecision("create", "new staff member: a new staff household is created")
    settled = household_settled(
        create, AT_41, sent_address_ids=frozenset({41}), creates_address=False
    )
    assert settled is create
