"""The home page's Business Office panel: open alerts and the last sync's result."""

from django.urls import reverse

from boi.models import Alert as BoiAlert
from boi.models import SyncRun
from idbridge.core.status import Alert, Fact, Panel, status_panel, when

OPEN_ALERTS = 5


@status_panel(order=30, permission="core.view_boi")
def business_office(user):
    alerts = [
        Alert(
            f"{alert.title} ({when(alert.created_at)})",
            reverse("boi:run", args=[alert.run_id]) if alert.run_id else reverse("boi:index"),
            "error" if alert.level == BoiAlert.Level.ERROR else "notice",
        )
        for alert in BoiAlert.objects.filter(dismissed_at=None)[:OPEN_ALERTS]
    ]
    facts = []
    last = SyncRun.objects.order_by("-id").first()
    if last is not None:
        result = last.get_state_display()
        if last.job == SyncRun.Job.FAILED:
            result += f", the step {last.step or 'last run'} failed"
        facts.append(
            Fact(
                f"Last sync ({last.staff_count} staff)", result, reverse("boi:run", args=[last.pk])
            )
        )
        if last.committed_at:
            facts.append(Fact("Committed", when(last.committed_at)))
    else:
        facts.append(Fact("Last sync", "none yet"))
    return Panel("Business Office", facts=facts, alerts=alerts, url=reverse("boi:index"))
