"""The onboarding case: its transitions (logged and audited), revocation, and notes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from staff.models import CaseEvent, Invitation, OnboardingCase, Passkey, StaffMember
from staff.transitions import Event, IllegalTransition, State, next_state


class OnboardingError(Exception):
    """A request the case cannot take; the message is safe to show to the person."""


def case_log_event(case, actor, event, from_state, to_state, reason) -> None:
    """One line of the case's timeline."""
    CaseEvent.objects.create(
        case=case,
        actor_label=actor if isinstance(actor, str) else actor.get_username(),
        event=str(event),
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason[:500],
    )


def case_transition(case: OnboardingCase, event: Event, actor, reason: str) -> OnboardingCase:
    """Move ``case`` (locked by the caller) along the transition table; log and audit."""
    before = State(case.state)
    try:
        after = next_state(before, event)
    except IllegalTransition as exc:
        raise OnboardingError(str(exc)) from None
    case.state = after
    if after == State.VERIFIED:
        case.verified_at = timezone.now()
    case.save()
    case_log_event(case, actor, event, before, after, reason)
    audit_record(
        actor=actor,
        action=f"staff.case.{event.value}",
        target=case,
        details={"from": before.value, "to": after.value, "reason": reason},
    )
    return case


def case_lock(case_id: int) -> OnboardingCase:
    """The case, locked for the rest of the caller's transaction."""
    return OnboardingCase.objects.select_for_update().select_related("staff_member").get(id=case_id)


def member_passkeys_disable(member: StaffMember, reason: str) -> int:
    """Disable every active passkey of ``member``; how many were."""
    return Passkey.objects.filter(staff_member=member, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), disabled_reason=reason[:200]
    )


def case_revoke_locked(case: OnboardingCase, actor, reason: str) -> None:
    """Revoke ``case`` (locked by the caller): passkeys, IdP sessions, open invitations."""
    disabled = member_passkeys_disable(case.staff_member, reason)
    # Ends every open IdP session of this person: sessions check this time stamp.
    StaffMember.objects.filter(id=case.staff_member_id).update(sessions_revoked_at=timezone.now())
    Invitation.objects.filter(case=case, used_at__isnull=True, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )
    case_transition(case, Event.REVOKE, actor, f"{reason} ({disabled} passkeys disabled)")


def case_revoke(*, case: OnboardingCase, actor, reason: str) -> OnboardingCase:
    with transaction.atomic():
        case = case_lock(case.id)
        case_revoke_locked(case, actor, reason or "revoked by an administrator")
    return case


def case_note(*, case: OnboardingCase, actor, note: str) -> None:
    """A timeline entry that changes no state (e.g. why an invitation could not be sent)."""
    case_log_event(case, actor, "note", case.state, case.state, note)
