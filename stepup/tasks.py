import logging

from celery import shared_task

from stepup.services.replay import seen_requests_purge

log = logging.getLogger(__name__)


@shared_task(time_limit=120, soft_time_limit=100)
def purge_seen_requests():
    """Drop replay-cache rows whose requests are now refused as stale anyway."""
    deleted = seen_requests_purge()
    log.info("replay cache purged", extra={"deleted": deleted})
