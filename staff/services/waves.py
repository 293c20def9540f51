"""Invitation waves: HR invites existing staff in stages, at a pace, as a long job.

A wave takes the existing (never invited) staff its scope names when it is made, and its
job (``staff.jobs.WAVE``) invites them in batches: a batch, then the job reschedules
itself for when the pace lets the next one go (``RunningJob.again_in``: a countdown, no
worker sleeps). The time the next batch may go is stored on the wave, so a wave paused
and resumed, or swept after its worker died and run again, keeps its pace. Each member's
outcome is written in the transaction that invites them, and a case is invited only while
it was never invited: a wave run again never invites anyone twice. Each invitation is
audited (``staff.case.invite``) under the name of whoever made the wave.

Example: 2,143 staff at 200 an hour go one every 18 s and take about 10 h 43 min.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.jobs.services import RunningJob, job_queue
from staff.jobs import WAVE
from staff.models import InvitationWave, WaveMember
from staff.services.cases import OnboardingError, case_note
from staff.services.existing import INVITE_REASON, Scope, existing_case_ids, first_invitation_send

Outcome = WaveMember.Outcome


def pace_words(pace_per_hour: int | None) -> str:
    return f"{pace_per_hour:,} an hour" if pace_per_hour else "no limit"


def wave_create(*, scope: Scope, pace_per_hour: int | None, actor) -> InvitationWave:
    """Make a wave of the existing staff ``scope`` takes now, and queue its job."""
    label = actor if isinstance(actor, str) else actor.get_username()
    with transaction.atomic():
        case_ids = existing_case_ids(scope)
        if not case_ids:
            raise OnboardingError(f"No existing staff are waiting to be invited ({scope.label}).")
        wave = InvitationWave.objects.create(
            school=scope.school,
            role=scope.role,
            pace_per_hour=pace_per_hour or None,
            created_by=label,
            total=len(case_ids),
        )
        WaveMember.objects.bulk_create(
            (WaveMember(wave=wave, case_id=case_id) for case_id in case_ids), batch_size=2000
        )
        wave.job = job_queue(kind=WAVE, subject_id=wave.id, total=len(case_ids))
        wave.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="staff.wave.created",
            target=wave,
            details={
                "count": len(case_ids),
                "scope": scope.label,
                "pace": pace_words(pace_per_hour),
            },
        )
    return wave


def wave_scope(wave: InvitationWave) -> Scope:
    return Scope(school=wave.school, role=wave.role)


def wave_batch_size(pace_per_hour: int | None) -> int:
    """How many invitations one run sends: what the pace allows in STAFF_WAVE_STEP_SECONDS
    (at least one), at most STAFF_WAVE_BATCH (also the batch of a wave with no limit)."""
    most = settings.STAFF_WAVE_BATCH
    if not pace_per_hour:
        return most
    return max(1, min(most, round(pace_per_hour * settings.STAFF_WAVE_STEP_SECONDS / 3600)))


def _longest_wait() -> float:
    """A wave waiting for its pace still runs this often, to beat (or it reads as dead)."""
    return max(1.0, settings.JOBS_STALE_SECONDS / 4)


def wave_step(running: RunningJob) -> None:
    """One run of a wave's job: a batch when the pace allows it, then again later; the
    job finishes once nobody is left waiting."""
    wave = InvitationWave.objects.get(id=running.subject_id)
    now = timezone.now()
    if wave.next_send_at and now < wave.next_send_at:
        running.heartbeat()
        wait = (wave.next_send_at - now).total_seconds()
        running.again_in(min(wait, _longest_wait()))
        return
    batch = wave_batch_size(wave.pace_per_hour)
    waiting = wave.members.filter(outcome=Outcome.WAITING).order_by("id")
    todo = list(waiting.values_list("id", flat=True)[:batch])
    done = wave.total - waiting.count()
    running.progress(done, total=wave.total, step=_wave_step_words(wave))
    started = time.monotonic()
    for member_id in todo:
        _member_invite(wave, member_id, running)
        done += 1
        running.progress(done)
    if not waiting.exists():
        running.progress(wave.total, step=_wave_step_words(wave))
        return
    interval = len(todo) * 3600 / wave.pace_per_hour if wave.pace_per_hour else 0.0
    wave.next_send_at = now + timedelta(seconds=interval)
    wave.save(update_fields=["next_send_at"])
    running.progress(done, step=_wave_step_words(wave))
    running.again_in(min(max(interval - (time.monotonic() - started), 0), _longest_wait()))


def _member_invite(wave: InvitationWave, member_id: int, running: RunningJob) -> None:
    """Invite one member, unless an earlier run did (the member is locked and its outcome
    written in the invitation's transaction); a case invited meanwhile is skipped. The
    job is held in the same transaction: once a pause commits, nobody more is invited."""
    reason = f"{INVITE_REASON} (wave {wave.id})"
    with transaction.atomic():
        running.hold()
        member = WaveMember.objects.select_for_update().get(id=member_id)
        if member.outcome != Outcome.WAITING:
            return
        try:
            sent = first_invitation_send(
                case_id=member.case_id, actor=wave.created_by, reason=reason
            )
            member.outcome = Outcome.INVITED if sent else Outcome.SKIPPED
        except OnboardingError as exc:  # no address, or the re-invite limit: HR sees why
            member.outcome, member.problem = Outcome.NOT_SENT, str(exc)[:300]
            case_note(case=member.case, actor="system", note=f"Invitation not sent: {exc}")
        member.done_at = timezone.now()
        member.save(update_fields=["outcome", "problem", "done_at"])


def _wave_step_words(wave: InvitationWave) -> str:
    not_sent = wave.members.filter(outcome=Outcome.NOT_SENT).count()
    return f"{not_sent} not sent (no address or too many invitations)" if not_sent else ""
