import logging

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(time_limit=30)
def heartbeat():
    """Beat's pulse: proves the scheduler and a worker are alive (see the logs)."""
    log.info("heartbeat", extra={"at": timezone.now().isoformat()})
