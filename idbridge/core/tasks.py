import logging

from celery import shared_task
from django.utils import timezone

from idbridge.audit.services import audit_record

log = logging.getLogger(__name__)


@shared_task(time_limit=30)
def heartbeat():
    """Beat's pulse: proves the scheduler and a worker are alive (see the logs)."""
    log.info("heartbeat", extra={"at": timezone.now().isoformat()})


@shared_task(time_limit=30)
def audit_probe(marker: str):
    """Writes one audit entry from the worker; integration tests use it end to end."""
    audit_record(actor=None, action="system.probe", target=f"probe:{marker}", details={})
