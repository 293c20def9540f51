"""Large writes in short transactions, and large reads that hold no statement open.

On the embedded default (SQLite) one connection writes at a time and every other writer
waits for it: a write transaction must stay short (``WRITE_BATCH`` rows, well under a
second), and a read must not stay open while its rows are written — SQLite keeps the
transaction of a write made while a read statement of the same connection is still
stepping (a ``QuerySet.iterator()`` being walked) open, with the write lock, until that
read ends. So: ``pages`` reads by keyset, a page at a time, each page whole;
``rows_delete`` and ``queryset_update`` change many rows a batch per statement.

One UPDATE statement run for many rows (``executemany``): ``rows_update``. Writes and
reads without the ORM's per-call compiling, where it costs the most: ``row_insert``,
``CompiledRead``.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per row and
field; storing a 50,000-staff validate report that way spends more time compiling SQL
than the database spends writing. ``rows_update`` sends one parameterized statement with
a parameter row per object instead, values converted by each field as a save would (JSON
adapted per database, encrypted fields encrypted). Used by the BOI console and by the
Campus sandbox's BOI API.

``row_insert`` and :class:`CompiledRead`: one INSERT, and reads compiled once per
process, for the statements of every SSO answer (the IdP's hot path).

``row_where`` reads one row by equality, and ``column_increment`` adds one to a counter
column, each with one plain statement: on a path run for every API request the ORM's
query compilation costs several times the query itself.
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
    """A read compiled to SQL once per process, run with new values of its named
    parameters: for the few reads on every request (the SSO answer's session, subject
    and IdP version, the signed-in user and their permissions), where Django compiling
    the query costs more than the database's answer. The rows are converted as
    ``values_list`` converts them.

    ``build(**params)`` returns a ``values_list`` queryset; it is called once, with a
    marker string for each parameter, and the markers are found again among the
    compiled query's parameters. A column that is not text is compared with
    ``Value(marker)`` (Django leaves a ``Value`` as it is, where it would turn the
    marker into the column's type) and run with a value of the column's type.

        read = CompiledRead(lambda key: Session.objects.filter(session_key=key)
                            .values_list("session_data", "expire_date")[:1], "key")
        row = read.first(key=session_key)
        ids = CompiledRead(lambda pk: User.objects.filter(pk=Value(pk)).values_list("id"),
                           "pk").all(pk=7)
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
        rows = self._run(using, values, many=False)
        return rows[0] if rows else None

    def all(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        return self._run(using, values, many=True)

    def _run(self, using: str, values: dict, *, many: bool) -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, slots, converters = compiled
        params = [values[name] if name else constant for name, constant in slots]
        connection = connections[using]  # this thread's
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if many else cursor.fetchmany(1)
        if not converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters.items():
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted


def _where(meta, connection, equal: dict) -> tuple[str, list]:
    qn = connection.ops.quote_name
    fields = [meta.get_field(name) for name in equal]
    sql = " AND ".join(f"{qn(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, equal.values(), strict=True)
    ]
    return sql, params


_ROW_READERS: dict[tuple, tuple[str, list[str], list[tuple]]] = {}


def _row_reader(model, connection, only: tuple[str, ...] | None) -> tuple:
    """(the columns to select, their attribute names, the converters of those that have
    any), worked out once per model, database and field choice."""
    key = (model, connection.alias, only)
    reader = _ROW_READERS.get(key)
    if reader is None:
        meta = model._meta
        fields = [
            f for f in meta.concrete_fields if only is None or f.primary_key or f.name in only
        ]
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if functions:
                converters.append((position, functions, column))
        qn = connection.ops.quote_name
        columns = ", ".join(qn(field.column) for field in fields)
        reader = _ROW_READERS[key] = (columns, [f.attname for f in fields], converters)
    return reader


def row_where(model, *, only: tuple[str, ...] | None = None, **equal):
    """The first ``model`` instance whose fields equal these values (``pk`` included), or
    None: ``SELECT … WHERE … LIMIT 1``, no query compilation. ``only``: the fields to read
    (and the key); the others are deferred (an encrypted one is then not decrypted)."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    equal = {meta.pk.name if name == "pk" else name: value for name, value in equal.items()}
    where, params = _where(meta, connection, equal)
    columns, names, converters = _row_reader(model, connection, only)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} LIMIT 1", params)  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, functions, column in converters:
        for function in functions:
            values[position] = function(values[position], column, connection)
    return model.from_db(connection.alias, names, values)


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
