"""Household rules: when the household (and so the address) HR sends is used.

From the guide:

- the district preference "Allow household and address creations/updates from the HR
  system" off -> Campus ignores all household and address data from HR;
- creating a staff member -> a new household, marked as a staff household;
- updating one whose household is a staff household with them as its only member -> that
  household is updated;
- updating one who shares a household with other members -> the household data is ignored,
  so the API never moves the students of that household.

In every create/update case an existing address is searched for and reused (see
``addresses.match_address``). Two cases the guide does not name are decided here, on the
side of changing nothing that others rely on: a member alone in a household that is not a
staff household (say a former parent's) -> ignored; a staff member with no household at
all -> a new staff household is created, as for a new staff member.

An update that would change nothing (every address sent is one the household is already
at, and it is at no other) is reported as "unchanged" (``household_settled``): the
validate report lists what will change, and Campus writes nothing for it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

HouseholdAction = Literal["create", "update", "unchanged", "ignore", "none"]


@dataclass(frozen=True, slots=True)
class HouseholdView:
    """What Campus knows of the staff member's current household."""

    household_id: Hashable
    is_staff_household: bool
    member_count: int
    address_ids: frozenset = frozenset()  # the addresses of its current locations


@dataclass(frozen=True, slots=True)
class HouseholdDecision:
    action: HouseholdAction
    reason: str
    household_id: Hashable | None = None


def decide_household(
    *,
    is_create: bool,
    has_household_data: bool,
    household_allowed: bool,
    current: HouseholdView | None,
) -> HouseholdDecision:
    """What Campus does with the household part of a staff create or update.

    >>> decide_household(is_create=False, has_household_data=True, household_allowed=True,
    ...     current=HouseholdView(7, is_staff_household=True, member_count=3)).action
    'ignore'
    """
    if not has_household_data:
        return HouseholdDecision("none", "no household data was sent")
    if not household_allowed:
        return HouseholdDecision(
            "ignore",
            "the preference 'Allow household and address creations/updates from the HR "
            "system' is off: household and address data are ignored",
        )
    if is_create:
        return HouseholdDecision("create", "new staff member: a new staff household is created")
    if current is None:
        return HouseholdDecision("create", "no household yet: a new staff household is created")
    if current.member_count > 1:
        return HouseholdDecision(
            "ignore",
            f"the household is shared with {current.member_count - 1} other member(s): "
            "household data is ignored so their address does not change",
            current.household_id,
        )
    if not current.is_staff_household:
        return HouseholdDecision(
            "ignore",
            "the household is not a staff household: household data is ignored",
            current.household_id,
        )
    return HouseholdDecision(
        "update", "staff household with this member only: it is updated", current.household_id
    )


def household_settled(
    decision: HouseholdDecision,
    current: HouseholdView | None,
    *,
    sent_address_ids: frozenset,
    creates_address: bool,
) -> HouseholdDecision:
    """An "update" that leaves the household as it is becomes "unchanged": every address
    sent is already one of its locations' (none is created) and it keeps no other.

    >>> view = HouseholdView(7, is_staff_household=True, member_count=1,
    ...                      address_ids=frozenset({41}))
    >>> update = HouseholdDecision("update", "updated", 7)
    >>> household_settled(update, view, sent_address_ids=frozenset({41}),
    ...                   creates_address=False).action
    'unchanged'
    >>> household_settled(update, view, sent_address_ids=frozenset({42}),
    ...                   creates_address=False).action
    'update'
    """
    if decision.action != "update" or current is None or creates_address:
        return decision
    if sent_address_ids != current.address_ids:
        return decision
    return HouseholdDecision(
        "unchanged",
        "the staff household is already at the address sent: nothing changes",
        current.household_id,
    )
