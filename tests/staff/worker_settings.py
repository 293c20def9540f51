"""Settings of the Celery workers the invitation-wave crash test starts and kills: a wave's
runs go to a queue of their own (the next run, sent by the worker itself, too)."""

from tests.settings import *  # noqa: F403

WAVE_CRASH_TEST_QUEUE = "staff-wave-crash-test"
CELERY_TASK_ROUTES = {"staff.tasks.run_invitation_wave": {"queue": WAVE_CRASH_TEST_QUEUE}}
