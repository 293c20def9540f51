import logging

from celery import shared_task

from staff.models import OnboardingCase
from staff.services.cases import OnboardingError, case_note
from staff.services.existing import first_invitation_send
from staff.services.invitations import invitations_remind_and_expire
from staff.services.proofing import (
    RECORD_FACTS_BATCH,
    record_facts_fetch,
    record_facts_requested,
)

log = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=590)
def send_first_invitations(
    case_ids: list[int], reason: str = "new staff member", actor: str = "system"
):
    """Invite newly discovered staff, or existing staff HR chose to invite (once each: only
    while a case has never been invited)."""
    for case_id in case_ids:
        try:
            first_invitation_send(case_id=case_id, actor=actor, reason=reason)
        except OnboardingError as exc:
            # Permanent (no email address, limit reached): shown on the case page.
            case = OnboardingCase.objects.get(id=case_id)
            case_note(case=case, actor="system", note=f"Invitation not sent: {exc}")
            log.warning("invitation not sent", extra={"case": case_id, "problem": str(exc)})


@shared_task(bind=True, acks_late=True, time_limit=120, soft_time_limit=110, max_retries=3)
def fetch_record_facts(self, member_id: int):
    """Fetch a staff member's record-check facts from Campus (``record_facts_fetch``). A
    transient failure retries with backoff; after that, or a permanent failure, the
    applicant's page says Campus did not answer and offers to try again."""
    _record_facts_fetch_or_retry(self, member_id, args=[member_id])


@shared_task(bind=True, acks_late=True, time_limit=600, soft_time_limit=590, max_retries=3)
def fetch_requested_record_facts(self, after_id: int = 0):
    """Fetch the facts invitations asked for (``record_facts_requested``), a batch a run,
    then send itself again for the rest: other jobs' tasks take turns between batches.
    A transient failure retries from the staff member it failed on."""
    member_ids = record_facts_requested(after_id=after_id, limit=RECORD_FACTS_BATCH)
    for before, member_id in zip([after_id, *member_ids], member_ids, strict=False):
        if not _record_facts_fetch_or_retry(self, member_id, args=[before]):
            return
    if len(member_ids) == RECORD_FACTS_BATCH:
        fetch_requested_record_facts.delay(member_ids[-1])


def _record_facts_fetch_or_retry(task, member_id: int, *, args: list) -> bool:
    """One staff member's facts; a transient failure sends ``task`` again with ``args``
    (with backoff, a bounded number of times). False when Campus is not answering."""
    from idbridge.connectors.http import backoff
    from idbridge.connectors.types import CampusError, TransientCampusError

    try:
        record_facts_fetch(member_id=member_id)
    except TransientCampusError as exc:
        if task.request.retries < task.max_retries:
            countdown = exc.retry_after or backoff(task.request.retries, base=2, cap=20) + 1
            raise task.retry(args=args, exc=exc, countdown=countdown) from None
        log.warning("record facts not fetched", extra={"member": member_id, "problem": str(exc)})
        return False
    except CampusError as exc:
        log.warning("record facts not fetched", extra={"member": member_id, "problem": str(exc)})
    return True


@shared_task(acks_late=True, time_limit=600, soft_time_limit=590)
def run_invitation_wave(job_id: int, token: str | None = None):
    """One run of an invitation wave's job (``staff.services.waves``): a batch, then the
    job sends this task again, with its claim's token, for the next batch."""
    from idbridge.jobs.services import job_execute
    from staff.services.waves import wave_step

    job_execute(job_id, wave_step, token=token)


@shared_task(time_limit=300, soft_time_limit=280)
def remind_and_expire_invitations():
    counts = invitations_remind_and_expire()
    log.info("invitations swept", extra=counts)


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3540, max_retries=6)
def poll_connection(self, job_id: int):
    """Run one poll job (``staff.jobs``). A transient Campus failure gives the job back and
    retries with backoff (then fails it); a permanent one fails it with Campus's words."""
    from idbridge.connectors.http import backoff
    from idbridge.connectors.types import PermanentCampusError, TransientCampusError
    from idbridge.jobs.services import job_execute, job_fail
    from staff import polling

    try:
        job_execute(
            job_id,
            polling.poll_run,
            release_on=(TransientCampusError,),
            readable=(PermanentCampusError,),
        )
    except TransientCampusError as exc:
        if self.request.retries >= self.max_retries:
            job_fail(job_id, f"Campus did not answer: {exc}. Retry runs the poll again.")
            return
        countdown = exc.retry_after or backoff(self.request.retries, base=15, cap=600) + 5
        raise self.retry(exc=exc, countdown=countdown) from None


@shared_task(time_limit=60)
def poll_due_connections():
    from staff import polling

    for connection_id in polling.connections_due():
        polling.poll_queue(connection_id=connection_id)
