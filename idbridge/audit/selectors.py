"""Reads of the audit log: the filtered list the page, the CSV and the home page show."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from idbridge.audit.models import AuditEntry
from idbridge.core.selectors import day_start


def entry_list(
    *,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet:
    """Entries newest first: ``actor`` a dashboard user's name or user name, or a label
    such as a staff number; ``action`` exactly; ``target`` part of its label; the days
    ``since``…``until`` whole, in the district's time zone."""
    entries = AuditEntry.objects.select_related("actor")
    if actor:
        entries = entries.filter(_actor_q(actor))
    if action:
        entries = entries.filter(action=action)
    if target:
        entries = entries.filter(target__icontains=target)
    if since:
        entries = entries.filter(created_at__gte=day_start(since))
    if until:
        entries = entries.filter(created_at__lt=day_start(until + timedelta(days=1)))
    return entries


def _actor_q(text: str) -> Q:
    """A label containing ``text``, or a dashboard user whose name holds every word."""
    users = get_user_model().objects.all()
    for word in text.split():
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return Q(actor_label__icontains=text) | Q(actor_id__in=users.values("id")[:200])
