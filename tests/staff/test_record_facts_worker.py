"""An invitation wave run by a real worker (PostgreSQL, Redis, the shared cache) gets every
invited person's record-check facts ready from Campus through the one fetching task,
before anyone opens a link."""

import pytest

from idbridge.jobs.models import Job
from staff import polling
from staff.models import StaffMember
from staff.services.existing import Scope
from staff.services.waves import wave_create
from tests.conftest import wait_for
from tests.staff.test_baseline_sandbox import sandbox  # noqa: F401 (a fixture)
from tests.staff.test_discovery import rest_connection

pytestmark = [pytest.mark.integration]


def test_a_wave_run_by_the_worker_gets_everyones_facts_ready(
    sandbox,  # noqa: F811 (the fixture above)
    celery_worker,
    hr_operator,
):
    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    wave = wave_create(scope=Scope(), pace_per_hour=None, actor=hr_operator)
    wait_for(
        lambda: Job.objects.filter(id=wave.job_id, state="succeeded").first(),
        60,
        what="the wave",
    )
    invited = StaffMember.objects.filter(record_facts_requested_at__isnull=False)
    assert invited.count() == wave.total > 1
    wait_for(
        lambda: not invited.filter(record_facts_fetched_at__isnull=True).exists() or None,
        60,
        what="the facts of everyone invited",
    )
    assert all(member.birth_date for member in invited)
