"""One UPDATE statement run for many rows (``executemany``), for large writes.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; storing a 50,000-staff validate report that way spends more time compiling SQL
than the database spends writing. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would (JSON
adapted per database, encrypted fields encrypted). Used by the BOI console and by the
Campus sandbox's BOI API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
