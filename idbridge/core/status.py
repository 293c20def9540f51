"""The home page's status at a glance: panels that each app fills for its own records.

``idbridge`` imports no app above it, so the home page asks a registry. Each app that has
something to say registers a panel in its ``status.py`` (found with
``autodiscover_modules("status")``, like the demo steps)::

    @status_panel(order=20, permission="core.view_onboarding")
    def onboarding(user) -> Panel | None: ...

A panel is a title, facts (label, value, link) and alerts (a sentence and a link); the
page shows alerts first, from every panel, then the panels in order. Times are shown in
the district's time zone. ``/status.json`` returns the same, rendered, so the page
updates without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    url: str = ""


@dataclass(frozen=True)
class Alert:
    sentence: str
    url: str = ""
    level: str = "error"  # "error" or "notice"


@dataclass(frozen=True)
class ChartRow:
    """One row of a panel's bar chart: a label and a count per series."""

    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """A small bar chart, drawn as a table (its own text alternative) whose cells carry
    an inline SVG bar each: ``series`` names the columns, ``rows`` the counts."""

    caption: str
    series: tuple[str, ...]
    rows: list[ChartRow]

    @property
    def widest(self) -> int:
        return max((n for row in self.rows for n in row.counts), default=0) or 1

    def bars(self) -> list[tuple[str, list[tuple[str, int, int]]]]:
        """Per row: its label, and per series (name, count, bar length out of 100)."""
        widest = self.widest
        return [
            (row.label, [(s, n, round(100 * n / widest)) for s, n in self._cells(row)])
            for row in self.rows
        ]

    def _cells(self, row: ChartRow):
        return zip(self.series, row.counts, strict=True)


@dataclass
class Panel:
    title: str
    facts: list[Fact] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    url: str = ""
    chart: Chart | None = None


@dataclass(frozen=True)
class _Registered:
    order: int
    permission: str
    build: Callable


_panels: dict[str, _Registered] = {}


def status_panel(*, order: int, permission: str):
    """Register the decorated ``build(user) -> Panel | None`` for users with ``permission``."""

    def register(build: Callable) -> Callable:
        _panels[f"{build.__module__}.{build.__name__}"] = _Registered(order, permission, build)
        return build

    return register


def panels_for(user) -> list[Panel]:
    """Every panel ``user`` may see, in order (empty panels left out)."""
    autodiscover_modules("status")
    found = []
    for registered in sorted(_panels.values(), key=lambda r: r.order):
        if user.has_perm(registered.permission):
            panel = registered.build(user)
            if panel is not None:
                found.append(panel)
    return found


def when(moment) -> str:
    """A time as the district reads it: "Dec 3, 13:30 CST" (its time zone), or "never"."""
    if moment is None:
        return "never"
    local = timezone.localtime(moment)
    return f"{local:%b} {local.day}, {local:%H:%M %Z}"
