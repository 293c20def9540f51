from celery import shared_task
from django.contrib.auth import get_user_model

from idbridge.audit.mailing import mail_latest_checkpoint
from idbridge.audit.services import audit_chain_check, audit_seal
from idbridge.jobs.services import job_execute


@shared_task(time_limit=300)
def seal_audit_chain():
    """Beat's sealer: chain the entries appended since the last seal, write a checkpoint."""
    sealed = audit_seal()
    return {"sealed": sealed.count, "head": sealed.head_seq}


@shared_task(time_limit=60)
def mail_audit_checkpoint():
    """Beat's daily copy of the latest signed checkpoint to the district admins."""
    return {"mailed": mail_latest_checkpoint()}


@shared_task(time_limit=4 * 3600)
def verify_audit_chain(job_id: int):
    """The chain check job (``idbridge.audit.jobs``): the same check as ``manage.py
    audit_verify --checkpoint``, its progress in entries checked."""

    def body(running):
        actor = get_user_model().objects.filter(pk=running.subject_id).first() or "system"
        checked = [0]

        def progress(count: int) -> None:
            checked[0] = count
            running.progress(count)

        running.progress(0, step="checking the links")
        check = audit_chain_check(actor=actor, progress=progress, job_id=running.id)
        running.progress(checked[0], step="checked")  # a new step: written at once
        return {"intact": check.intact}

    return job_execute(job_id, body)
