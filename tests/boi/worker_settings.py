"""Settings of the Celery workers the console's worker tests start (and the crash tests
kill).

The console's tasks, the sandbox's commit job and the staff polls go to a queue of their
own (in the test process too, see the ``boi_queue`` fixture), so the test knows exactly
which process runs its jobs; so does the sweeper, when a worker runs beat (``-B``) for the
browser crash test.
"""

from tests.settings import *  # noqa: F403

BOI_CRASH_TEST_QUEUE = "boi-console-crash-test"
ROUTED = ("boi.tasks.*", "sandbox.tasks.*", "staff.tasks.*", "idbridge.jobs.tasks.*")
CELERY_TASK_ROUTES = {name: {"queue": BOI_CRASH_TEST_QUEUE} for name in ROUTED}
# Only the sweeper is due in a crash test (no Campus polls, no liveness beat).
CELERY_BEAT_SCHEDULE = {"jobs-sweep": CELERY_BEAT_SCHEDULE["jobs-sweep"]}  # noqa: F405
