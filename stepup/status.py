"""The home page's step-up panel: the IdP's outcomes of the last 7 days, per action
(step-up policy), as a small bar chart: assertions issued, requests denied, and passkey
checks people cancelled or let time out."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.status import Chart, ChartRow, Panel, status_panel
from stepup.gates import admin_policies
from stepup.models import StepUpPolicy
from stepup.policy import SIGN_IN

DAYS = 7
OUTCOMES = {  # the audit action: its column
    "stepup.assertion_issued": "Issued",
    "stepup.denied": "Denied",
    "stepup.check_not_completed": "Cancelled",
}
SERIES = tuple(OUTCOMES.values())
NO_POLICY = "Other passkey checks"


def step_up_outcomes(now=None) -> list[ChartRow]:
    """Per action, the count of each outcome in the last ``DAYS`` days (one query)."""
    since = (now or timezone.now()) - timedelta(days=DAYS)
    counted = (
        AuditEntry.objects.filter(created_at__gte=since, action__in=OUTCOMES)
        .annotate(policy=KeyTextTransform("policy", "details"))
        .values("action", "policy")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for row in counted:
        policy = row["policy"] if row["policy"] != "null" else ""  # SQLite's text of null
        counts = table.setdefault(policy or "", {})
        column = OUTCOMES[row["action"]]
        counts[column] = counts.get(column, 0) + row["n"]
    labels = _labels()
    rows = [
        ChartRow(labels.get(policy, policy) or NO_POLICY, tuple(c.get(s, 0) for s in SERIES))
        for policy, c in table.items()
    ]
    return sorted(rows, key=lambda r: (r.label == NO_POLICY, r.label))


def _labels() -> dict[str, str]:
    labels = {p.action: p.title for p in admin_policies()}
    labels[SIGN_IN.action] = SIGN_IN.title
    for action, label in StepUpPolicy.objects.values_list("action", "label"):
        labels[action] = label or action
    return labels


@status_panel(order=30, permission="core.view_stepup")
def step_up(user):
    chart = Chart(
        caption=f"Step-up outcomes per action, last {DAYS} days",
        series=SERIES,
        rows=step_up_outcomes(),
    )
    return Panel("Step-up", chart=chart, url=reverse("stepup:activity"))
