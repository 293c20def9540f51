"""How every page writes a moment: on the district's clock (``TIME_ZONE``), naming its
zone, one format everywhere (``2026-12-03 12:05:07 CST``).

Templates use the ``local_time`` filter (a builtin: no ``{% load %}``); lists made in
Python (``idbridge.core.paging.html_rows``) call ``local_time`` itself.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

# What ``local_time`` prints, in Django's ``|date`` letters (for a script's JSON).
LOCAL_TIME = "Y-m-d H:i:s T"


def local_time(at: datetime | None) -> str:
    """``at`` on the district's clock with its zone's abbreviation; "" for no time.

    >>> from datetime import UTC
    >>> from django.test import override_settings
    >>> with override_settings(TIME_ZONE="America/Chicago"):
    ...     local_time(datetime(2026, 12, 3, 18, 5, 7, tzinfo=UTC))
    '2026-12-03 12:05:07 CST'
    """
    if not at:
        return ""
    if not isinstance(at, datetime):  # a date: no clock to show
        return at.isoformat()
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z")
