"""An invitation wave whose worker is SIGKILLed between batches is queued again by the
sweeper and finished by another worker, and nobody is invited twice (real workers,
PostgreSQL, Redis)."""

import signal
import time

import pytest

from idbridge.jobs.models import Job
from idbridge.jobs.services import job_sweep
from staff.models import CampusConnection, Invitation, OnboardingCase, WaveMember
from staff.services.discovery import staff_records_from_campus
from staff.services.existing import Scope
from staff.services.waves import wave_create
from tests.boi.test_preflight_worker_kill import (
    start_worker,
    stop,
    tasks_routed,
)
from tests.conftest import wait_for
from tests.staff.conftest import person

from .worker_settings import WAVE_CRASH_TEST_QUEUE

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STALE_SECONDS = 3
STAFF = 40
WORKER = {"settings_module": "tests.staff.worker_settings", "queue": WAVE_CRASH_TEST_QUEUE}


def test_a_killed_workers_wave_is_resumed_by_the_sweeper_and_invites_everyone_once(settings):
    settings.JOBS_STALE_SECONDS = STALE_SECONDS
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    persons = [person(n) for n in range(1, STAFF + 1)]
    staff_records_from_campus(connection=connection, persons=persons, baseline=True)
    with tasks_routed("staff.tasks.run_invitation_wave", WAVE_CRASH_TEST_QUEUE):
        first, second = start_worker("wave-a", **WORKER), None
        try:
            # Ten every five seconds: the worker holds the next run's message when killed.
            wave = wave_create(scope=Scope(), pace_per_hour=7200, actor="omar_hr")
            wait_for(lambda: Invitation.objects.count() >= 10, 90, what="the first batch")
            stop(first, signal.SIGKILL)  # its transaction, if one was open, rolls back
            killed = Job.objects.get(id=wave.job_id)
            assert killed.state == Job.State.RUNNING and Invitation.objects.count() < STAFF
            wait_for(
                lambda: (
                    time.time() - Job.objects.get(id=killed.id).heartbeat_at.timestamp()
                    > STALE_SECONDS + 0.5
                ),
                30,
                what="the heartbeat to go stale",
            )
            assert job_sweep() == [killed.id]  # resumable: queued again, not failed
            assert Job.objects.get(id=killed.id).state == Job.State.QUEUED
            second = start_worker("wave-b", **WORKER)
            done = wait_for(
                lambda: Job.objects.filter(id=killed.id, state__in=["succeeded", "failed"]).first(),
                120,
                what="the resumed wave to finish",
            )
        finally:
            if first.poll() is None:
                stop(first, signal.SIGKILL)
            if second is not None:
                stop(second)
    assert (done.state, done.error, done.attempts, done.done) == ("succeeded", "", 2, STAFF)
    assert Invitation.objects.count() == STAFF
    assert set(OnboardingCase.objects.values_list("invitations_sent", flat=True)) == {1}
    assert set(WaveMember.objects.values_list("outcome", flat=True)) == {"invited"}
