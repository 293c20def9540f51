"""The embedded default's mail backend (keeps each message in the outbox table), and
sending that survives a mail server that is down."""

import logging

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from idbridge.core.models import OutboxMessage

log = logging.getLogger(__name__)


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
