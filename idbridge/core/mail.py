"""The embedded default's mail backend (keeps each message in the outbox table), and
sending that survives a mail server that is down.

The outbox is an evaluation mode: it stands in for everyone's mailbox, so whoever reads it
(district admins only) can open anyone's invitation. With ``EMAIL_URL`` set to an SMTP
server nothing is kept: the dashboard shows who was sent what kind of mail, when, and
whether it left, never a body or a link.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from idbridge.core.models import OutboxMessage

log = logging.getLogger(__name__)


OUTBOX_BACKEND = "idbridge.core.mail.OutboxBackend"


def is_outbox_mode() -> bool:
    """Whether mail lands in the dashboard's outbox instead of people's mailboxes."""
    return settings.EMAIL_BACKEND == OUTBOX_BACKEND


def text_messages_available() -> bool:
    """Whether a text message can reach a mobile number: only in the outbox's evaluation
    mode today (no SMS gateway is built), where it lands in the outbox as ``sms:<number>``."""
    return is_outbox_mode()


def text_message_send(to: str, body: str) -> bool:
    """Send ``body`` to the mobile number ``to``; False when no way to send texts exists."""
    if not text_messages_available():
        return False
    OutboxMessage.objects.create(
        subject="Text message",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[f"sms:{to}"],
        body_text=body,
        raw=body,
    )
    return True


def mail_send(message: EmailMessage, *, what: str) -> bool:
    """Send ``message``; False (logged, recipients and body left out) when the mail server
    fails, so the caller can say so where people look instead of losing its own work."""
    try:
        message.send()
    except OSError as exc:  # smtplib's errors, refused connections, timeouts
        log.warning("mail not sent", extra={"what": what, "problem": type(exc).__name__})
        return False
    return True


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = content
            OutboxMessage.objects.create(
                subject=message.subject,
                from_email=message.from_email,
                to=list(message.recipients()),
                body_text=message.body,
                body_html=html,
                raw=message.message().as_string(),
            )
            sent += 1
        return sent
