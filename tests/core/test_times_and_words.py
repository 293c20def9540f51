"""Every page writes a moment one way, on the district's clock with its zone; a refused
form names its fields by their labels; Campus's keys read as words."""

import doctest
from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from idbridge.core import forms, times
from idbridge.core.times import local_time
from staff import campus_names


@pytest.mark.parametrize("module", [times, forms, campus_names])
def test_the_examples_hold(module):
    assert doctest.testmod(module).failed == 0


WINTER, SUMMER = (
    datetime(2026, 12, 3, 18, 5, 7, tzinfo=UTC),
    datetime(2026, 7, 3, 18, 5, 7, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("zone", "at", "shown"),
    [
        ("America/Chicago", WINTER, "2026-12-03 12:05:07 CST"),
        ("America/Chicago", SUMMER, "2026-07-03 13:05:07 CDT"),
        (
            "America/New_York",
            datetime(2026, 12, 3, 18, 5, 7, tzinfo=UTC),
            "2026-12-03 13:05:07 EST",
        ),
    ],
)
def test_a_moment_is_shown_on_the_districts_clock_naming_its_zone(settings, zone, at, shown):
    settings.TIME_ZONE = zone
    assert local_time(at) == shown
    assert Template("{{ at|local_time }}").render(Context({"at": at})) == shown


def test_no_moment_shows_nothing_and_a_date_shows_as_a_date():
    assert Template("{{ at|local_time|default:'never' }}").render(Context({"at": None})) == "never"
    assert local_time(date(2026, 12, 3)) == "2026-12-03"
