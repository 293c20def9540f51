from celery import shared_task

from idbridge.audit.mailing import mail_latest_checkpoint
from idbridge.audit.services import audit_seal


@shared_task(time_limit=300)
def seal_audit_chain():
    """Beat's sealer: chain the entries appended since the last seal, write a checkpoint."""
    sealed = audit_seal()
    return {"sealed": sealed.count, "head": sealed.head_seq}


@shared_task(time_limit=60)
def mail_audit_checkpoint():
    """Beat's daily copy of the latest signed checkpoint to the district admins."""
    return {"mailed": mail_latest_checkpoint()}
