"""The embedded default's mail backend: keeps each message in the outbox table."""

from django.core.mail.backends.base import BaseEmailBackend

from idbridge.core.models import OutboxMessage


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
