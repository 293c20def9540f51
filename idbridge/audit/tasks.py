from celery import shared_task

from idbridge.audit.services import audit_seal


@shared_task(time_limit=300)
def seal_audit_chain():
    """Beat's sealer: chain the entries appended since the last seal, write a checkpoint."""
    sealed = audit_seal()
    return {"sealed": sealed.count, "head": sealed.head_seq}
