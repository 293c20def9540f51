"""The dashboard's own reads."""

import re
from datetime import date

from django.db.models import Q

from idbridge.core.models import OutboxMessage


def outbox_list(*, q: str = "", since: date | None = None, until: date | None = None):
    """Outbox messages whose recipients or subject hold every word of ``q``, sent between
    ``since`` and ``until`` (whole days in the district's time zone), newest first."""
    messages = OutboxMessage.objects.all()
    for word in re.split(r"[\s,;]+", q or ""):
        if word:
            messages = messages.filter(Q(to__icontains=word) | Q(subject__icontains=word))
    if since:
        messages = messages.filter(created_at__date__gte=since)
    if until:
        messages = messages.filter(created_at__date__lte=until)
    return messages
