"""Polls of a Campus connection as long jobs (``idbridge.jobs``): a poll, a full
reconciliation, and the full reconciliation an administrator confirmed after a hold; and
invitation waves (``staff.services.waves``), paced, pausable, resumed when swept.

The job keeps how a poll is going (claim, heartbeat, progress in persons); the connection
keeps what polls found (status, last poll, counts, cursor). Running a poll again is safe
(recording staff is idempotent and the cursor moves only when a poll finishes), so every
kind may be retried, and a poll whose worker died is simply due again.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from idbridge.jobs.kinds import JobKind, job_kind_register

POLL = "staff.poll"
FULL = "staff.poll.full"
ACCEPT_SHRINK = "staff.poll.accept_shrink"  # a full reconciliation that may deprovision
WAVE = "staff.wave"  # invitations to existing staff, at a pace
KINDS = {
    # kind: (full, accept_shrink, label, doing)
    POLL: (False, False, "The poll", "reading new and changed staff from Campus"),
    FULL: (True, False, "The full reconciliation", "reading every staff member from Campus"),
    ACCEPT_SHRINK: (
        True,
        True,
        "The confirmed full reconciliation",
        "reading every staff member from Campus and deprovisioning the missing",
    ),
}


def poll_kind(*, full: bool = False, accept_shrink: bool = False) -> str:
    return ACCEPT_SHRINK if accept_shrink else FULL if full else POLL


def poll_options(kind: str) -> tuple[bool, bool]:
    """(full, accept_shrink) of a poll job's kind."""
    full, accept_shrink, _label, _doing = KINDS[kind]
    return full, accept_shrink


def _connection_page(job) -> str:
    return reverse("staff:connection", args=[job.subject_id])


def _poll_failed(job) -> None:
    """The connection shows the failure (a Campus error is already recorded there by the
    poll itself; a stopped worker or an unexpected error is recorded here)."""
    from staff.models import CampusConnection

    CampusConnection.objects.filter(id=job.subject_id, poll_job_id=job.id).update(
        status=CampusConnection.Status.ERROR,
        last_error=job.error[:1000],
        last_error_at=timezone.now(),
    )


def register() -> None:
    from staff.tasks import poll_connection

    for name, (_full, _accept, label, doing) in KINDS.items():
        job_kind_register(
            JobKind(
                name=name,
                label=label,
                doing=doing,
                unit="persons",
                task=poll_connection,
                page_url=_connection_page,
                view_permission="core.view_onboarding",
                manage_permission=(
                    "core.manage_connections" if name == ACCEPT_SHRINK else "core.manage_onboarding"
                ),
                on_fail=_poll_failed,
                family=POLL,
            )
        )


def _wave_page(job) -> str:
    return reverse("staff:wave", args=[job.subject_id])


def _wave_pace(job) -> float | None:
    """Invitations per second the wave may send (None: no limit)."""
    from staff.models import InvitationWave

    waves = InvitationWave.objects.filter(id=job.subject_id)
    per_hour = waves.values_list("pace_per_hour", flat=True).first()
    return per_hour / 3600 if per_hour else None


def register_waves() -> None:
    """A wave only sends what its members still wait for: running it again (Resume,
    Retry, the sweeper after its worker died) never invites anyone twice."""
    from staff.tasks import run_invitation_wave

    job_kind_register(
        JobKind(
            name=WAVE,
            label="The invitation wave",
            doing="inviting existing staff",
            unit="invitations",
            task=run_invitation_wave,
            page_url=_wave_page,
            view_permission="core.view_onboarding",
            manage_permission="core.manage_onboarding",
            cancellable=True,
            pausable=True,
            pace=_wave_pace,
            resumable=True,
            after_stop="Retry carries on where it stopped; nobody is invited twice.",
        )
    )
