"""Settings of the Celery workers the pre-flight crash test starts and kills.

The console's tasks go to a queue of their own (in the test process too, see the test's
``boi_queue`` fixture), so the test knows exactly which process runs the job it kills.
"""

from tests.settings import *  # noqa: F403

BOI_CRASH_TEST_QUEUE = "boi-console-crash-test"
CELERY_TASK_ROUTES = {"boi.tasks.*": {"queue": BOI_CRASH_TEST_QUEUE}}
