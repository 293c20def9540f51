"""Paged lists: keyset pages (newest first) and the filters a list keeps in its links.

A long list (onboarding cases, the outbox) is paged by its sort key, never by OFFSET and
never with a COUNT(*): a page is "the ``size`` rows older than this row", read from an
index on (``created_at``, ``id``) however deep it is, and rows added between two page
loads neither repeat nor push a row off the next page.

>>> cursor_from(datetime(2026, 12, 1, 9, 30, tzinfo=UTC), 42)
'1796117400000000.42'
>>> cursor_parse('1796117400000000.42')
(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc), 42)
>>> cursor_parse('not a cursor') is None
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def filter_query(values: Mapping[str, object]) -> str:
    """``values`` as a query string for ``?after=…&…`` links, URL-encoded (a search for
    ``a+b@x`` or ``R&D`` survives paging), empty filters left out."""
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def cursor_from(at: datetime, pk: int) -> str:
    """A row's place in a newest-first list: its time in microseconds, then its id."""
    return f"{(at - EPOCH) // timedelta(microseconds=1)}.{pk}"


def cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    """The (time, id) of ``cursor``; None when it is not one (a hand-edited link)."""
    micros, _, pk = (cursor or "").partition(".")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18:
        return None
    return EPOCH + timedelta(microseconds=int(micros)), int(pk)


@dataclass(frozen=True)
class KeysetPage:
    """One page of a newest-first list and the cursors of its neighbours ("" = none)."""

    object_list: list
    older: str = ""
    newer: str = ""
    is_first: bool = True

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer) or not self.is_first


def keyset_page(
    rows: QuerySet, *, size: int, after: str = "", before: str = "", field: str = "created_at"
) -> KeysetPage:
    """The ``size`` rows of ``rows`` (newest first by ``field``, then id) older than the
    cursor ``after``, or newer than ``before``, or the newest. One query of ``size + 1``
    rows (the extra row only says whether there is a page beyond); a ``before`` that
    reaches the newest rows gives the first page, full, with a second query. ``rows`` may
    be model instances or ``values()`` rows (dicts holding ``field`` and ``id``)."""
    after_key, before_key = cursor_parse(after), cursor_parse(before)
    if before_key and not after_key:
        at, pk = before_key
        newer_rows = Q(**{f"{field}__gte": at}) & (Q(**{f"{field}__gt": at}) | Q(pk__gt=pk))
        found = list(rows.filter(newer_rows).order_by(field, "pk")[: size + 1])
        if len(found) > size:
            return _page(found[:size][::-1], field, older=True, newer=True)
        # Back at the newest rows: the first page, full (rows may have arrived meanwhile).
    if after_key:
        at, pk = after_key
        older_rows = Q(**{f"{field}__lte": at}) & (Q(**{f"{field}__lt": at}) | Q(pk__lt=pk))
        rows = rows.filter(older_rows)
    found = list(rows.order_by(f"-{field}", "-pk")[: size + 1])
    return _page(found[:size], field, older=len(found) > size, newer=bool(after_key))


def _page(items: list, field: str, *, older: bool, newer: bool) -> KeysetPage:
    if not items:
        return KeysetPage([], is_first=not newer)
    return KeysetPage(
        items,
        older=cursor_from(*_place(items[-1], field)) if older else "",
        newer=cursor_from(*_place(items[0], field)) if newer else "",
        is_first=not newer,
    )


def _place(row, field: str) -> tuple[datetime, int]:
    """A row's (time, id): a model instance's attributes or a ``values()`` row's keys."""
    if isinstance(row, dict):
        return row[field], row["id"]
    return getattr(row, field), row.pk


def keyset_page_for(request, rows: QuerySet, *, size: int) -> KeysetPage:
    """The page of ``rows`` a list's ``?after=`` / ``?before=`` link asks for."""
    return keyset_page(
        rows, size=size, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )


def url_for_each(name: str):
    """``reverse(name, args=[pk])`` for every row of a page at the cost of one
    ``reverse()`` (fifty of them are a good part of a list page's time)."""
    marker = 987654321
    head, _, tail = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def html_rows(row_html: str, rows: Iterable[Sequence]) -> SafeString:
    """A list's rows as HTML: ``row_html`` (``str.format`` fields, ``{}``) filled in from
    each of ``rows``, every value escaped. One pass over plain strings: fifty rows through
    ``format_html_join`` (Django's escaping, lazy-string aware) cost several times more.

    >>> html_rows('<tr><td>{}</td><td>{}</td></tr>', [("R&D", 3), ("<b>", "'x'")])
    '<tr><td>R&amp;D</td><td>3</td></tr>\\n<tr><td>&lt;b&gt;</td><td>&#x27;x&#x27;</td></tr>'
    """
    escape = html.escape
    return mark_safe(  # noqa: S308 - every value escaped just above
        "\n".join(row_html.format(*[escape(str(value)) for value in row]) for row in rows)
    )
