"""Invitation waves: existing staff invited by scope, at a pace, as a long job that can be
paused, resumed and cancelled, survives its worker, audits each invitation and never
invites anyone twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.jobs.models import Job
from idbridge.jobs.progress import job_progress_info
from idbridge.jobs.services import (
    JobLost,
    job_cancel,
    job_execute,
    job_pause,
    job_retry,
    job_sweep,
)
from staff.jobs import WAVE
from staff.models import Invitation, InvitationWave, OnboardingCase, WaveMember
from staff.services.existing import Scope, existing_invite
from staff.services.waves import wave_batch_size, wave_create, wave_step
from staff.transitions import State
from tests.staff.test_baseline import at_school, baseline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _runs_sent_not_run():
    """A wave's next run is a message with a countdown: here it is sent (to the embedded
    broker, purged after) and the test runs the job as the worker would, when it says.
    Run eagerly, the countdown would be ignored and the runs would recurse."""
    from idbridge.celery import app

    app.conf.task_always_eager = False
    yield
    app.control.purge()


@pytest.fixture
def existing(connection):
    """Five existing staff: four at school 101, one at 102 (its own e-mail each)."""
    return baseline(connection, [at_school(n, "101" if n < 5 else "102") for n in range(1, 6)])


def queued_wave(pace=None, scope=Scope(), actor="omar_hr") -> InvitationWave:
    """A wave made, its job queued but not run (the test runs it, as a worker would)."""
    return wave_create(scope=scope, pace_per_hour=pace, actor=actor)


def run(wave: InvitationWave):
    """One run of the wave's job as its task does it; the RunningJob it left behind."""
    seen = []
    job_execute(wave.job_id, lambda running: seen.append(running) or wave_step(running))
    return seen[0] if seen else None


def invited_once_each() -> bool:
    counts = OnboardingCase.objects.filter(state=State.INVITED).values_list("id", flat=True)
    return all(Invitation.objects.filter(case_id=c).count() == 1 for c in counts)


# --- pace -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pace", "batch"),
    [(None, 100), (50, 1), (200, 1), (720, 1), (7200, 10), (1_000_000, 100)],
)
def test_a_run_sends_what_the_pace_allows_in_a_few_seconds(pace, batch, settings):
    settings.STAFF_WAVE_STEP_SECONDS, settings.STAFF_WAVE_BATCH = 5, 100
    assert wave_batch_size(pace) == batch


def test_a_paced_wave_sends_a_batch_then_reschedules_itself_for_when_the_pace_allows(
    existing, settings
):
    settings.STAFF_WAVE_STEP_SECONDS = 5
    wave = queued_wave(pace=720)  # one every 5 s
    before = timezone.now()
    running = run(wave)
    after = timezone.now()
    assert Invitation.objects.count() == 1
    # A countdown to when the pace lets the next one go (minus what sending took), not a
    # sleep; that time is kept on the wave, for a run that resumes it.
    assert 0 <= running.again_after <= 5.0
    wave.refresh_from_db()
    five = timedelta(seconds=5)
    assert before + five <= wave.next_send_at <= after + five
    job = Job.objects.get(id=wave.job_id)
    assert (job.state, job.done, job.total, job.claim) == ("running", 1, 5, running.token)
    # Run before its time (a duplicate message): it only beats, and waits at most a
    # quarter of JOBS_STALE_SECONDS at a time (or it would read as dead).
    later = timezone.now() + timedelta(hours=1)
    InvitationWave.objects.filter(id=wave.id).update(next_send_at=later)
    seen = []
    job_execute(wave.job_id, lambda r: seen.append(r) or wave_step(r), token=running.token)
    assert Invitation.objects.count() == 1
    assert seen[0].again_after == settings.JOBS_STALE_SECONDS / 4
    InvitationWave.objects.filter(id=wave.id).update(next_send_at=timezone.now())
    job_execute(wave.job_id, wave_step, token=running.token)
    assert Invitation.objects.count() == 2


def test_a_wave_with_no_limit_goes_in_batches_until_nobody_waits(existing, settings):
    settings.STAFF_WAVE_BATCH = 2
    wave = queued_wave()
    running = run(wave)
    assert Invitation.objects.count() == 2 and running.again_after == 0
    job_execute(wave.job_id, wave_step, token=running.token)
    assert Invitation.objects.count() == 4
    job_execute(wave.job_id, wave_step, token=running.token)
    job = Job.objects.get(id=wave.job_id)
    assert (job.state, job.done, job.total) == ("succeeded", 5, 5)
    assert not OnboardingCase.objects.filter(state=State.EXISTING).exists()
    assert Invitation.objects.count() == 5


def test_the_time_left_follows_the_pace_not_the_bursts(existing):
    wave = queued_wave(pace=200)
    run(wave)
    job = Job.objects.get(id=wave.job_id)
    # One sent in a tenth of a second: measured, that burst would be 36,000 an hour.
    job.heartbeat_at = job.rate_at + timedelta(seconds=0.1)
    info = job_progress_info(job)
    assert info["words"] == "1 of 5 invitations"
    assert info["rate_words"] == "200 invitations/h"
    assert info["time_left"] == "about 1 min left"  # 4 more at one every 18 s
    assert info["pause_url"] and info["cancel_url"] and not info["resume_url"]


# --- each invitation audited, nobody twice ----------------------------------------------


def test_each_invitation_of_a_wave_is_audited_under_whoever_made_it(existing):
    wave = queued_wave(scope=Scope(school="101"))
    run(wave)
    entries = AuditEntry.objects.filter(action="staff.case.invite")
    assert entries.count() == 4
    assert {e.actor_label for e in entries} == {"omar_hr"}
    assert all(f"wave {wave.id}" in e.details["reason"] for e in entries)
    made = AuditEntry.objects.get(action="staff.wave.created")
    assert made.details == {"count": 4, "scope": "school 101", "pace": "no limit"}


def test_a_person_invited_meanwhile_is_skipped_not_invited_twice(existing):
    wave = queued_wave()
    existing_invite(case=existing["S00002"], actor="omar_hr")
    run(wave)
    outcomes = dict(WaveMember.objects.values_list("case__staff_member__staff_number", "outcome"))
    assert outcomes["S00002"] == "skipped" and outcomes["S00001"] == "invited"
    assert Invitation.objects.count() == 5 and invited_once_each()


def test_a_person_without_an_address_is_not_sent_and_the_wave_page_says_why(
    existing, client, hr_operator
):
    member = existing["S00003"].staff_member
    member.work_email = member.personal_email = ""
    member.save()
    wave = queued_wave()
    run(wave)
    assert WaveMember.objects.get(case=existing["S00003"]).outcome == "not_sent"
    client.force_login(hr_operator)
    page = client.get(f"/staff/waves/{wave.id}/").content.decode()
    assert "Campus has no work or personal email" in page and "not sent 1" in page


def test_a_wave_whose_worker_died_is_resumed_by_the_sweeper_and_invites_nobody_twice(
    existing, settings
):
    settings.STAFF_WAVE_BATCH = 2
    wave = queued_wave()
    run(wave)  # two sent; then the worker dies holding the next run's message
    stale = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)
    Job.objects.filter(id=wave.job_id).update(heartbeat_at=stale)
    assert job_sweep() == [wave.job_id]
    assert Job.objects.get(id=wave.job_id).state == "queued"  # resumable: queued again
    for _ in range(3):
        job = Job.objects.get(id=wave.job_id)
        job_execute(job.id, wave_step, token=job.claim if job.state == "running" else None)
    job = Job.objects.get(id=wave.job_id)
    assert (job.state, job.done, job.attempts) == ("succeeded", 5, 2)
    assert Invitation.objects.count() == 5 and invited_once_each()


# --- pause, resume, cancel --------------------------------------------------------------


def test_hr_pauses_a_wave_and_its_next_run_stops_then_resume_carries_on(
    existing, client, hr_operator, settings
):
    settings.STAFF_WAVE_BATCH = 2
    wave = queued_wave()
    running = run(wave)
    client.force_login(hr_operator)
    page = client.get(f"/staff/waves/{wave.id}/").content.decode()
    assert f"/jobs/{wave.job_id}/pause/" in page
    response = client.post(f"/jobs/{wave.job_id}/pause/", follow=True)
    assert b"The invitation wave paused." in response.content
    assert b"is paused at 2 of 5 invitations" in response.content
    with pytest.raises(JobLost):
        running.progress(3, step="")
    job_execute(wave.job_id, wave_step, token=running.token)  # the message sent before
    assert Invitation.objects.count() == 2
    assert job_sweep() == []  # a paused wave is not a dead one
    assert AuditEntry.objects.get(action="jobs.paused").actor_label == "omar_hr"
    response = client.post(f"/jobs/{wave.job_id}/resume/", follow=True)
    assert b"The invitation wave resumed." in response.content
    assert Job.objects.get(id=wave.job_id).state == "queued"
    run(wave)
    assert Invitation.objects.count() == 4 and invited_once_each()


def test_a_cancelled_wave_leaves_the_rest_existing_and_run_it_again_carries_on(existing):
    wave = queued_wave()
    assert job_cancel(wave.job_id, actor="omar_hr")
    assert OnboardingCase.objects.filter(state=State.EXISTING).count() == 5
    assert job_retry(wave.job_id, actor="omar_hr") is not None
    run(wave)
    assert Job.objects.get(id=wave.job_id).state == "succeeded"
    assert Invitation.objects.count() == 5 and invited_once_each()


def test_only_pausable_jobs_pause(existing, connection):
    from staff import polling

    polling.connection_claim_poll(connection.id)
    poll_job = Job.objects.exclude(kind=WAVE).get()
    assert job_pause(poll_job.id) is False
    assert Job.objects.get(id=poll_job.id).state == "running"


# --- the pages and who may use them ---------------------------------------------------


def test_hr_starts_a_wave_at_a_custom_pace_and_sees_it_listed(existing, client, hr_operator):
    client.force_login(hr_operator)
    form = client.get("/staff/waves/new/").content.decode()
    assert "200 an hour" in form and "No limit" in form and "Another pace" in form
    response = client.post("/staff/waves/new/", {"scope": "all", "pace": "custom"})
    assert b"Say how many invitations an hour." in response.content
    response = client.post(
        "/staff/waves/new/", {"scope": "all", "pace": "custom", "custom_pace": "300"}, follow=True
    )
    wave = InvitationWave.objects.get()
    assert (wave.pace_per_hour, wave.total, wave.created_by) == (300, 5, "omar_hr")
    assert b"Wave started: 5 existing staff (all existing staff), 300 an hour." in response.content
    assert f'data-job-url="/jobs/{wave.job_id}/progress/"'.encode() in response.content
    listing = client.get("/staff/waves/").content.decode()
    assert f"Wave {wave.id}" in listing and "300 an hour" in listing and "Queued" in listing


def test_a_wave_with_nobody_to_invite_is_refused(existing, client, hr_operator):
    OnboardingCase.objects.update(state=State.INVITED)
    client.force_login(hr_operator)
    response = client.post("/staff/waves/new/", {"scope": "all", "pace": "none"})
    assert b"No existing staff are waiting to be invited" in response.content
    assert not InvitationWave.objects.exists()


def test_an_auditor_sees_waves_but_cannot_start_pause_or_resume_one(existing, client, auditor):
    wave = queued_wave()
    client.force_login(auditor)
    assert client.get("/staff/waves/").status_code == 200
    page = client.get(f"/staff/waves/{wave.id}/").content.decode()
    assert "/pause/" not in page
    assert client.get("/staff/waves/new/").status_code == 403
    assert client.post(f"/jobs/{wave.job_id}/pause/").status_code == 403
    assert Job.objects.get(id=wave.job_id).state == "queued"


def test_a_district_admin_may_start_a_wave(existing, client, district_admin):
    client.force_login(district_admin)
    response = client.post("/staff/waves/new/", {"scope": "all", "pace": "200"})
    assert response.status_code == 302
    assert InvitationWave.objects.get().created_by == "dana_admin"
