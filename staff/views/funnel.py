"""Onboarding at a glance: invitations and verifications per day as an inline SVG chart,
and cases per school by state; the page's script refreshes both from ``funnel.json``."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from idbridge.core.access import permission_required
from staff import selectors
from staff.transitions import State

# The chart's drawing area, in SVG user units (the SVG scales to the page's width).
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 14, 36
SERIES = (("invited", "Invited"), ("verified", "Verified"))


# (Named anew whenever what is kept changes: a cache outlives an upgrade.)
GLANCE_KEY = "staff:onboarding-glance:2"
# While one web worker makes the counts anew, the others show the ones kept.
GLANCE_MAKING_KEY = "staff:onboarding-glance:making"


def glance() -> dict:
    """The onboarding page's counts over every case (``selectors.onboarding_counts``), its
    at-a-glance partial rendered (``html``) and its funnel table (``funnel_html``).

    At district size the counts read every case and the chart is a few hundred numbers
    to format, so both are made at most once every ``STAFF_DASHBOARD_COUNTS_SECONDS`` and
    shared by every web worker through the cache; once they are older, one request makes
    them anew while the others keep showing them. The list of cases is always fresh."""
    seconds = settings.STAFF_DASHBOARD_COUNTS_SECONDS
    if seconds <= 0:
        return _glance_make()
    kept = cache.get(GLANCE_KEY)
    if kept is not None and (
        time.time() < kept["made_at"] + seconds or not cache.add(GLANCE_MAKING_KEY, 1, 60)
    ):
        return kept
    made = {**_glance_make(), "made_at": time.time()}
    cache.set(GLANCE_KEY, made, seconds * 20)
    cache.delete(GLANCE_MAKING_KEY)
    return made


def _glance_make() -> dict:
    counts = selectors.onboarding_counts()
    context = funnel_context(counts)
    html = render_to_string("staff/_funnel.html", context)
    funnel_html = render_to_string("staff/_funnel_table.html", {"funnel": counts["funnel"]})
    return {**counts, "states": context["states"], "html": html, "funnel_html": funnel_html}


def funnel_context(counts: dict) -> dict:
    """What the onboarding-at-a-glance partial shows: the chart, its data, the schools."""
    return {
        "chart": funnel_chart(counts["days"]),
        "days": counts["days"],
        "schools": counts["schools"],
        "states": [s.value for s in State],
    }


def funnel_chart(days: list[dict]) -> dict:
    """Grouped bars, one pair (invited, verified) per day, with y-axis ticks and a date
    label every fifth day: the geometry the template draws."""
    top = max([1] + [day[key] for day in days for key, _ in SERIES])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar_w = slot * 0.4
    bars, labels = [], []
    for i, day in enumerate(days):
        x = LEFT + i * slot + slot * 0.1
        for j, (key, label) in enumerate(SERIES):
            h = plot_h * day[key] / top
            bars.append(
                {
                    "series": key,
                    "x": round(x + j * bar_w, 1),
                    "y": round(TOP + plot_h - h, 1),
                    "width": round(bar_w, 1),
                    "height": round(h, 1),
                    "title": f"{day['date']}: {day[key]} {label.lower()}",
                }
            )
        if i % 5 == 0 or i == len(days) - 1:
            labels.append({"x": round(x + bar_w, 1), "text": day["date"][5:]})
    ticks = [
        {"y": round(TOP + plot_h - plot_h * v / top, 1), "value": v}
        for v in sorted({0, top // 2, top})
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": HEIGHT - BOTTOM + 16,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "first": days[0]["date"] if days else "",
        "last": days[-1]["date"] if days else "",
        "invited": sum(day["invited"] for day in days),
        "verified": sum(day["verified"] for day in days),
    }


@require_GET
@permission_required("core.view_onboarding")
def funnel_json(request):
    """The per-day and per-school counts, and the partial rendered anew for the script."""
    counts = glance()
    return JsonResponse({key: counts[key] for key in ("days", "states", "schools", "html")})
