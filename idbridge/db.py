"""One UPDATE statement run for many rows (``executemany``), for large writes.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; storing a 50,000-staff validate report that way spends more time compiling SQL
than the database spends writing. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would (JSON
adapted per database, encrypted fields encrypted). Used by the BOI console and by the
Campus sandbox's BOI API.

``row_where`` reads one row by equality, and ``column_increment`` adds one to a counter
column, each with one plain statement: on a path run for every API request the ORM's
query compilation costs several times the query itself.

``in_pages`` reads a large queryset a page per query, so that no read stays open while
the caller writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, connections


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
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def _where(meta, connection, equal: dict) -> tuple[str, list]:
    qn = connection.ops.quote_name
    fields = [meta.get_field(name) for name in equal]
    sql = " AND ".join(f"{qn(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, equal.values(), strict=True)
    ]
    return sql, params


def row_where(model, **equal):
    """The first ``model`` instance whose fields equal these values (``pk`` included), or
    None: ``SELECT * … WHERE … LIMIT 1``, no query compilation."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    equal = {meta.pk.name if name == "pk" else name: value for name, value in equal.items()}
    where, params = _where(meta, connection, equal)
    sql = f"SELECT * FROM {connection.ops.quote_name(meta.db_table)} WHERE {where} LIMIT 1"  # noqa: S608
    return next(iter(model.objects.raw(sql, params)), None)


def column_increment(model, field: str, **equal) -> int:
    """``UPDATE … SET field = field + 1 WHERE …``; returns the number of rows changed."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    column = connection.ops.quote_name(meta.get_field(field).column)
    where, params = _where(meta, connection, equal)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {column} + 1 WHERE {where}", params)  # noqa: S608
        return cursor.rowcount


def in_pages(queryset, *, key: str = "pk", size: int = 2000) -> Iterator:
    """The queryset's objects in order of ``key`` (a unique field), one query per page of
    ``size``. Unlike ``.iterator()`` no statement stays open between pages, so the caller
    may write as it goes: on SQLite an open read pins its snapshot, and a write on that
    connection after another connection's commit fails with "database is locked"."""
    last = None
    ordered = queryset.order_by(key)
    while True:
        page = list((ordered if last is None else ordered.filter(**{f"{key}__gt": last}))[:size])
        yield from page
        if len(page) < size:
            return
        last = getattr(page[-1], key)
