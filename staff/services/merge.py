"""Merging one Campus person's duplicate staff records into one (one case per person).

Before cases were keyed by the Campus person ID, a second connection to the same Campus
gave everyone a second staff record and case. A merge keeps the case that is furthest
along (``staff.transitions.merge_rank``: verified > proofing > invited > existing; the
oldest among equals) and moves everything else onto it: passkeys (never lost, never
re-enabled), the connections that see the person, invitations (a link not used yet is
superseded: the kept case has its own) and the timeline, which gains a ``merge`` line.
The kept record keeps its WebAuthn user handle, so its IdP subject and persistent
NameIDs do not change. The merged case's audit entries keep naming its old id; the
``staff.merged`` entry links the two.

Discovery merges when a connection learns a person ID that another record holds
(``staff_members_merge``); migration ``0011_merge_duplicate_staff`` merged the
duplicates made before, through ``members_merge_rows`` with its historical models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from idbridge.audit.services import audit_record
from staff.models import CaseEvent, Invitation, OnboardingCase, Passkey, StaffMember, StaffSource
from staff.transitions import merge_rank

MERGE_REASON = "the same Campus person, seen through another connection"


@dataclass(frozen=True)
class Rows:
    """The models a merge writes: the live ones, or a migration's historical ones."""

    member: type
    source: type
    case: type
    event: type
    invitation: type
    passkey: type


LIVE = Rows(StaffMember, StaffSource, OnboardingCase, CaseEvent, Invitation, Passkey)


def members_merge_rows(
    member_ids: list[int], *, actor_label: str, reason: str, rows: Rows = LIVE, now=None
) -> tuple[int, dict]:
    """Merge the staff records ``member_ids`` (locked by the caller) into one: its id and
    what the audit entry says. Deletes the others."""
    now = now or timezone.now()
    members = list(rows.member.objects.filter(id__in=member_ids).order_by("id"))
    cases = {c.staff_member_id: c for c in rows.case.objects.filter(staff_member_id__in=member_ids)}
    survivor = max(
        members, key=lambda m: (merge_rank(cases[m.id].state if m.id in cases else None), -m.id)
    )
    kept = cases.get(survivor.id)
    losers = [m for m in members if m.id != survivor.id]
    merged_cases = [cases[m.id].id for m in losers if m.id in cases]
    for loser in losers:
        _sources_move(rows, loser.id, survivor.id)
        rows.passkey.objects.filter(staff_member_id=loser.id).update(staff_member_id=survivor.id)
        if loser.id in cases:
            _case_fold(rows, cases[loser.id], kept, now)
        _member_fill(survivor, loser)
        rows.member.objects.filter(id=loser.id).delete()
    survivor.save()
    if kept is not None and merged_cases:
        rows.event.objects.create(
            case_id=kept.id,
            at=now,
            actor_label=actor_label,
            event="merge",
            from_state=kept.state,
            to_state=kept.state,
            reason=f"merged case {', '.join(map(str, merged_cases))}: {reason}"[:500],
        )
    return survivor.id, {
        "kept_case": kept.id if kept else None,
        "merged_cases": merged_cases,
        "merged_staff": [m.id for m in losers],
        "reason": reason,
    }


def _sources_move(rows: Rows, loser_id: int, survivor_id: int) -> None:
    """The loser's connections now see the survivor (one source per connection)."""
    taken = set(
        rows.source.objects.filter(staff_member_id=survivor_id).values_list(
            "connection_id", flat=True
        )
    )
    rows.source.objects.filter(staff_member_id=loser_id, connection_id__in=taken).delete()
    rows.source.objects.filter(staff_member_id=loser_id).update(staff_member_id=survivor_id)


def _case_fold(rows: Rows, loser, kept, now: datetime) -> None:
    """Move the loser case's invitations (unused ones superseded) and timeline to ``kept``."""
    rows.invitation.objects.filter(
        case_id=loser.id, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now)
    rows.invitation.objects.filter(case_id=loser.id).update(case_id=kept.id)
    rows.event.objects.filter(case_id=loser.id).update(case_id=kept.id)
    kept.invitations_sent += loser.invitations_sent
    kept.save(update_fields=["invitations_sent"])
    rows.case.objects.filter(id=loser.id).delete()


def _member_fill(survivor, loser) -> None:
    """What the survivor lacks, from the loser; sessions revoked at the later time."""
    for name in ("campus_person_id", "staff_number", "work_email", "personal_email"):
        if not getattr(survivor, name) and getattr(loser, name):
            setattr(survivor, name, getattr(loser, name))
    if not _revealed(survivor.birth_date) and _revealed(loser.birth_date):
        survivor.birth_date = loser.birth_date
    survivor.is_staff_in_campus = survivor.is_staff_in_campus or loser.is_staff_in_campus
    survivor.first_seen_at = min(survivor.first_seen_at, loser.first_seen_at)
    survivor.last_seen_at = max(survivor.last_seen_at, loser.last_seen_at)
    revoked = [t for t in (survivor.sessions_revoked_at, loser.sessions_revoked_at) if t]
    survivor.sessions_revoked_at = max(revoked) if revoked else None


def _revealed(value) -> str:
    return value.reveal() if hasattr(value, "reveal") else (value or "")


def staff_members_merge(*, member_ids: list[int], actor, reason: str = MERGE_REASON) -> int:
    """Merge one person's staff records (locked by the caller's transaction), audited;
    the id of the record kept."""
    label = actor if isinstance(actor, str) else actor.get_username()
    survivor_id, details = members_merge_rows(member_ids, actor_label=label, reason=reason)
    target = f"staff.onboardingcase:{details['kept_case']}" if details["kept_case"] else ""
    audit_record(actor=actor, action="staff.merged", target=target, details=details)
    return survivor_id
