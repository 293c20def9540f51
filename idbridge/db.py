"""Writes and reads without the ORM's per-call compiling, where it costs the most.

``rows_update``: one UPDATE statement run for many rows (``executemany``), for large writes.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; storing a 50,000-staff validate report that way spends more time compiling SQL
than the database spends writing. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would (JSON
adapted per database, encrypted fields encrypted). Used by the BOI console and by the
Campus sandbox's BOI API.

``row_insert`` and :class:`CompiledRead`: one INSERT, and reads compiled once per
process, for the statements of every SSO answer (the IdP's hot path).
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


def row_insert(obj) -> None:
    """``INSERT`` a new object's row and set its primary key: what ``obj.save()`` does
    for a new row, without signals or the ORM compiling the statement (the audit log's
    append, on every SSO answer). Values are prepared as a save prepares them; the
    database returns the new key (``RETURNING``: PostgreSQL, SQLite >= 3.35)."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = type(obj)._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608 - model names
        qn(meta.db_table),
        ", ".join(qn(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
        qn(meta.pk.column),
    )
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


class CompiledRead:
    """A read compiled to SQL once per process, run with new values of its named string
    parameters: for the few reads on every request (the SSO answer's session, subject
    and IdP version), where Django compiling the query costs more than the database's
    answer. The rows are converted as ``values_list`` converts them.

    ``build(**params)`` returns a ``values_list`` queryset; it is called once, with a
    marker string for each parameter, and the markers are found again among the
    compiled query's parameters (so only string parameters can be named).

        read = CompiledRead(lambda key: Session.objects.filter(session_key=key)
                            .values_list("session_data", "expire_date")[:1], "key")
        row = read.first(key=session_key)
    """

    def __init__(self, build, *names: str):
        self._build, self._names = build, names
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        markers = {f"\x00{name}\x00": name for name in self._names}
        queryset = self._build(**{name: marker for marker, name in markers.items()})
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        slots = [(markers.get(p) if isinstance(p, str) else None, p) for p in params]
        if sorted(name for name, _ in slots if name) != sorted(self._names):
            raise ValueError("every named parameter must appear once in the query")
        return sql, slots, converters

    def first(self, using: str = DEFAULT_DB_ALIAS, **values) -> tuple | None:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, slots, converters = compiled
        params = [values[name] if name else constant for name, constant in slots]
        connection = connections[using]  # this thread's
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
        return tuple(row)
