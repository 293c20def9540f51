"""The home page's onboarding panel: the funnel's counts, each Campus connection's last
poll, and connections that fail."""

from django.urls import reverse

from idbridge.core.status import Alert, Fact, Panel, status_panel, when
from staff.models import CampusConnection
from staff.selectors import case_funnel


@status_panel(order=20, permission="core.view_onboarding")
def onboarding(user):
    facts = [Fact(row["state"].capitalize(), str(row["count"])) for row in case_funnel()]
    alerts = []
    for connection in CampusConnection.objects.filter(enabled=True).order_by("name"):
        url = reverse("staff:connection", args=[connection.pk])
        facts.append(Fact(f"Last poll of {connection.name}", when(connection.last_poll_at), url))
        failing = connection.last_error and (
            connection.last_poll_at is None
            or (connection.last_error_at and connection.last_error_at >= connection.last_poll_at)
        )
        if failing:
            alerts.append(
                Alert(
                    f"Campus connection {connection.name} failed {when(connection.last_error_at)}:"
                    f" {connection.last_error}",
                    url,
                )
            )
    return Panel("Onboarding", facts=facts, alerts=alerts, url=reverse("staff:index"))
