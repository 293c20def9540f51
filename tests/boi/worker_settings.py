"""Settings of the Celery workers the pre-flight crash tests start and kill.

The console's tasks go to a queue of their own (in the test process too, see the test's
``boi_queue`` fixture), so the test knows exactly which process runs the job it kills; so
does the sweeper, when a worker runs beat (``-B``) for the browser crash test.
"""

from tests.settings import *  # noqa: F403

BOI_CRASH_TEST_QUEUE = "boi-console-crash-test"
CELERY_TASK_ROUTES = {
    "boi.tasks.*": {"queue": BOI_CRASH_TEST_QUEUE},
    "idbridge.jobs.tasks.*": {"queue": BOI_CRASH_TEST_QUEUE},
}
# Only the sweeper is due in a crash test (no Campus polls, no liveness beat).
CELERY_BEAT_SCHEDULE = {"jobs-sweep": CELERY_BEAT_SCHEDULE["jobs-sweep"]}  # noqa: F405
