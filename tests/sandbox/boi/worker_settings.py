"""Settings of the Celery workers the commit-job crash test starts and kills.

The test suite's own session worker listens on the default queue; these workers take the
sandbox's tasks from a queue of their own (and send the ones they enqueue there too), so
the test knows exactly which process runs the job it kills.
"""

from tests.settings import *  # noqa: F403

CRASH_TEST_QUEUE = "campus-boi-crash-test"
CELERY_TASK_ROUTES = {"sandbox.tasks.*": {"queue": CRASH_TEST_QUEUE}}
