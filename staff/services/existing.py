"""Existing staff: the people a connection's baseline recorded as already working in the
district. Nobody invites them but HR: one person from the case page, or many in an
invitation wave (everyone, or one school, or one Campus role, at a pace:
``staff.services.waves``). Every path invites a case only while it was never invited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from staff.campus_names import role_label, school_label
from staff.models import OnboardingCase
from staff.services.cases import OnboardingError, case_lock
from staff.services.invitations import invitation_send
from staff.transitions import INITIAL, State

INVITE_REASON = "existing staff member, invited by HR"


@dataclass(frozen=True)
class Scope:
    """Which existing staff to invite: everyone, or those of one school or Campus role."""

    school: str = ""
    role: str = ""

    def takes(self, schools: list, roles: list) -> bool:
        return (not self.school or self.school in (schools or [])) and (
            not self.role or self.role in (roles or [])
        )

    @property
    def label(self) -> str:
        """The scope by its keys (for the audit log): ``school 101``."""
        return self.label_named(None)

    @classmethod
    def from_label(cls, label: str) -> Scope | None:
        """The scope whose :attr:`label` is ``label``; None for other words.

        >>> Scope.from_label("school org-7f3a")
        Scope(school='org-7f3a', role='')
        """
        for prefix, field in (("school ", "school"), ("Campus role ", "role")):
            if label.startswith(prefix):
                return cls(**{field: label.removeprefix(prefix)})
        return cls() if label == cls().label else None

    def label_named(self, school_names: Mapping[str, str] | None) -> str:
        """The scope for a page, its school by name: ``school Northside Elementary``."""
        if self.school:
            named = self.school if school_names is None else school_label(self.school, school_names)
            return f"school {named}"
        if self.role:
            return f"Campus role {self.role if school_names is None else role_label(self.role)}"
        return "all existing staff"


def existing_invite(*, case: OnboardingCase, actor):
    """Invite one existing staff member now (the same invitation path as a new hire's)."""
    with transaction.atomic():
        case = case_lock(case.id)  # a bulk invitation may be sending at the same time
        if case.state != State.EXISTING:
            raise OnboardingError("Only existing staff who were never invited can be invited here.")
        return invitation_send(case=case, actor=actor, reason=INVITE_REASON)


def first_invitation_send(*, case_id: int, actor, reason: str) -> bool:
    """Send a case its first invitation, unless it was invited meanwhile; True if sent.

    The case is locked first, so a new hire's or a bulk invitation never crosses HR's."""
    with transaction.atomic():
        try:
            case = case_lock(case_id)
        except OnboardingCase.DoesNotExist:
            return False
        if case.state not in INITIAL:
            return False
        invitation_send(case=case, actor=actor, reason=reason)
    return True


def existing_case_ids(scope: Scope) -> list[int]:
    """The existing (never invited) cases ``scope`` takes, oldest first."""
    rows = (
        OnboardingCase.objects.filter(state=State.EXISTING)
        .order_by("id")
        .values_list("id", "staff_member__schools", "staff_member__roles")
    )
    return [case_id for case_id, schools, roles in rows.iterator() if scope.takes(schools, roles)]
