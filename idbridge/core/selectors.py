"""The dashboard's own reads."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from idbridge.core.models import OutboxMessage


def outbox_list(*, q: str = "", since: date | None = None, until: date | None = None):
    """Outbox messages whose recipients or subject hold every word of ``q``, sent between
    ``since`` and ``until`` (whole days in the district's time zone), newest first
    (``values()`` rows)."""
    # The list shows time, recipients and subject, as plain rows: the bodies stay on disk.
    messages = OutboxMessage.objects.values("id", "created_at", "to", "subject")
    for word in re.split(r"[\s,;]+", q or ""):
        if word:
            messages = messages.filter(search_text__contains=word.lower())
    # A range on the column itself (never a function of it), so the index serves it.
    if since:
        messages = messages.filter(created_at__gte=day_start(since))
    if until:
        messages = messages.filter(created_at__lt=day_start(until + timedelta(days=1)))
    return messages


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the district's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
