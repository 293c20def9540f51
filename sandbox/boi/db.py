"""One UPDATE statement run for many rows (``executemany``).

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; for the thousands of rows a sync writes per batch, compiling those expressions
costs more than the database work. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would.
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


# What validate and commit read per batch. Seeding a district or staging a sync adds tens
# of thousands of rows at once; without fresh statistics PostgreSQL's planner may scan
# whole tables for each batch's IN (...) lookups (quadratic in the sync's size).
ANALYZED_TABLES = (
    "campus_person",
    "campus_identity",
    "campus_employment",
    "campus_districtassignment",
    "campus_household",
    "campus_householdmember",
    "campus_householdlocation",
    "campus_address",
    "campus_syncstagedstaff",
)


def campus_tables_analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables a sync reads (a no-op elsewhere)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, ANALYZED_TABLES)))
