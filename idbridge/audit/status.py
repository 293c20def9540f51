"""The home page's recent activity: the latest audit entries, in words."""

from django.urls import reverse

from idbridge.audit.models import AuditEntry
from idbridge.audit.words import lines_in_words
from idbridge.core.status import Fact, Panel, status_panel, when

RECENT = 8


@status_panel(order=90, permission="core.view_audit")
def recent_activity(user):
    entries = AuditEntry.objects.select_related("actor").order_by("-id")[:RECENT]
    facts = [
        Fact(when(line.entry.created_at), line.sentence, line.target.url if line.target else "")
        for line in lines_in_words(entries)
    ]
    return Panel("Recent activity", facts=facts, url=reverse("audit:list"))
