"""The dashboard's own reads."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from idbridge.core.models import OutboxMessage, OutboxSearchWord
from idbridge.search import search_terms, words_filter


def outbox_list(*, q: str = "", since: date | None = None, until: date | None = None):
    """Outbox messages whose recipients or subject hold every word of ``q`` (words that
    start so: ``idbridge.search``), sent between ``since`` and ``until`` (whole days in
    the district's time zone), newest first: ``values()`` rows of their id and time only,
    from the ``outbox_newest_first`` index.

    A search reads the word table's index, never a message's row (on PostgreSQL a plain
    index scan's rows are filtered only after each one's table row is read: a search for
    one address read every message, bodies and all); what the list shows of a page's
    messages is read by id afterwards (``outbox_shown``)."""
    messages = OutboxMessage.objects.values("id", "created_at")
    terms = search_terms(q)
    if terms:
        messages = messages.filter(words_filter(OutboxSearchWord, "message_id", terms))
    # A range on the column itself (never a function of it), so the index serves it.
    if since:
        messages = messages.filter(created_at__gte=day_start(since))
    if until:
        messages = messages.filter(created_at__lt=day_start(until + timedelta(days=1)))
    return messages


def outbox_shown(ids) -> dict[int, dict]:
    """What the list shows of these messages (recipients, subject), by id: the bodies
    stay on disk."""
    rows = OutboxMessage.objects.filter(id__in=list(ids)).values("id", "to", "subject")
    return {row["id"]: row for row in rows}


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the district's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
