"""A copy of the latest signed checkpoint, mailed to the district admins on a schedule.

Mail leaves the host: a copy in someone's mailbox is an anchor even an administrator of
the server cannot rewrite. The public key travels with it, so the line can be checked
anywhere (``cryptography``'s Ed25519 verify over the line without ``sig``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage

from idbridge.audit import checkpoints
from idbridge.core import roles
from idbridge.core.mail import mail_send

BODY = """The audit log of {base} had {count} sealed entries at {at}; the chain head is
{hash}.

This signed checkpoint is your copy of that fact. If the audit log is ever shortened or
rewritten, `manage.py audit_verify --checkpoint` reports it; keep this message so the
checkpoint can be compared by hand as well.

Checkpoint (JSON, signed with Ed25519 over the line without "sig"):
{line}

Public key:
{public_key}
"""


def _recipients() -> list[str]:
    admins = get_user_model().objects.filter(groups__name=roles.DISTRICT_ADMIN, is_active=True)
    return sorted(set(admins.exclude(email="").values_list("email", flat=True)))


def mail_latest_checkpoint() -> int:
    """Mail the latest valid checkpoint; how many admins it went to (0: nothing to send)."""
    latest = next((read for read in checkpoints.latest(10) if read.checkpoint), None)
    recipients = _recipients()
    if latest is None or not recipients:
        return 0
    checkpoint = latest.checkpoint
    body = BODY.format(
        base=settings.PUBLIC_BASE_URL,
        count=checkpoint.count,
        at=checkpoint.at,
        hash=checkpoint.hash,
        line=latest.line.strip(),
        public_key=checkpoints.public_key_pem().strip(),
    )
    message = EmailMessage(
        subject=f"idbridge audit checkpoint: {checkpoint.count} entries at {checkpoint.at}",
        body=body,
        to=recipients,
    )
    return len(recipients) if mail_send(message, what="audit checkpoint") else 0
