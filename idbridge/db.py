"""Large writes in short transactions, and large reads that hold no statement open.

On the embedded default (SQLite) one connection writes at a time and every other writer
waits for it: a write transaction must stay short (``WRITE_BATCH`` rows, well under a
second), and a read must not stay open while its rows are written — SQLite keeps the
transaction of a write made while a read statement of the same connection is still
stepping (a ``QuerySet.iterator()`` being walked) open, with the write lock, until that
read ends. So: ``pages`` reads by keyset, a page at a time, each page whole;
``rows_delete`` and ``queryset_update`` change many rows a batch per statement.

One UPDATE statement run for many rows (``executemany``): ``rows_update``.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; storing a 50,000-staff validate report that way spends more time compiling SQL
than the database spends writing. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would (JSON
adapted per database, encrypted fields encrypted). Used by the BOI console and by the
Campus sandbox's BOI API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q

# Rows per write transaction (and per page read): a few tens of milliseconds of writing.
WRITE_BATCH = 500


def pages(queryset, order: Sequence[str], size: int = WRITE_BATCH) -> Iterator[list]:
    """The rows of ``queryset`` in ``order``, ``size`` at a time, each page read whole
    before it is handed out (keyset paging: ``order`` names fields that together tell the
    rows apart, e.g. ``("row_number",)`` or ``("address_key", "row_number")``).

    Unlike ``QuerySet.iterator()`` no statement stays open between pages, so the caller
    may write as it goes: on SQLite a write made while a read is open keeps its
    transaction, and the database's one write lock, until that read ends.
    """
    queryset = queryset.order_by(*order)
    last = None
    while True:
        page = list((queryset if last is None else queryset.filter(_after(order, last)))[:size])
        if not page:
            return
        yield page
        last = [getattr(page[-1], name) for name in order]


def _after(order: Sequence[str], last: Sequence) -> Q:
    """Rows after ``last`` in ``order``: (a > x) or (a = x and b > y) or …"""
    after = Q()
    for i, name in enumerate(order):
        step = Q(**{f"{name}__gt": last[i]})
        for before, value in zip(order[:i], last[:i], strict=True):
            step &= Q(**{before: value})
        after |= step
    return after


def rows_delete(queryset, size: int = WRITE_BATCH) -> int:
    """Delete the rows of ``queryset`` ``size`` at a time (a transaction each, with their
    cascades); returns how many. Interrupted, it leaves whole batches deleted: calling it
    again deletes the rest."""
    deleted = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:size])
        if not ids:
            return deleted
        queryset.model._base_manager.filter(pk__in=ids).delete()
        deleted += len(ids)


def queryset_update(queryset, size: int = WRITE_BATCH, **values) -> int:
    """``queryset.update(**values)`` ``size`` rows per statement; returns how many.

    The rows to change are listed first (their ids, in one read), so rows that the update
    takes out of the queryset are not looked for again."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    model = queryset.model._base_manager
    return sum(
        model.filter(pk__in=ids[i : i + size]).update(**values) for i in range(0, len(ids), size)
    )


def rows_update(model, objs: Iterable, fields: Sequence[str]) -> int:
    """``UPDATE <table> SET f1 = %s, … WHERE pk = %s`` for each object; returns the count."""
    objs = list(objs)
    if not objs or not fields:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from model metadata
        qn(meta.db_table),
        ", ".join(f"{qn(field.column)} = %s" for field in columns),
        qn(meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objs
    ]
    # One transaction (not one per row, as executemany outside a transaction would be).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)
