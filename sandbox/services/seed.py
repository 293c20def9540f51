"""Seeding the sandbox with a generated district (bulk inserts, explicit ids)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.fields import EncryptedTextField
from sandbox.boi.addresses import rows_fill_keys
from sandbox.generator.district import TABLES, DistrictGenerator
from sandbox.models import (
    Address,
    AssignmentCode,
    District,
    DistrictAssignment,
    Employment,
    Gender,
    Household,
    HouseholdLocation,
    HouseholdMember,
    Identity,
    Person,
    Relationship,
    School,
    Student,
    TitleCode,
)

MODELS = {
    "district": District,
    "gender": Gender,
    "assignment_code": AssignmentCode,
    "title_code": TitleCode,
    "school": School,
    "address": Address,
    "household": Household,
    "person": Person,
    "identity": Identity,
    "employment": Employment,
    "assignment": DistrictAssignment,
    "student": Student,
    "relationship": Relationship,
    "household_member": HouseholdMember,
    "household_location": HouseholdLocation,
}
assert tuple(MODELS) == TABLES


class SandboxNotEmpty(Exception):
    pass


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    database: str = ""

    @property
    def staff(self) -> int:
        return self.counts.get("staff", 0)


def sandbox_is_empty() -> bool:
    return not (Person.objects.exists() or School.objects.exists())


def district_clear(*, actor) -> None:
    """Delete every district row (people, households, addresses, schools, codes).

    API clients, sessions, fault switches and counters stay. Plain DELETE statements,
    children first: the ORM's cascade collector would load every row first.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for model in reversed(MODELS.values()):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        audit_record(actor=actor, action="campus.district_cleared", target="campus:district")


def district_seed(
    *,
    staff: int,
    students: int,
    seed: int,
    actor,
    as_of: date | None = None,
    replace: bool = False,
    batch_size: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Generate a district and insert it; refuses a sandbox that already has one.

    ``replace=True`` clears the existing district first. Rows are inserted with
    explicit ids in bulk (a transaction per batch of ``batch_size`` staff), then the id
    sequences are moved past them so later inserts get the next personID.
    """
    started = time.perf_counter()
    _make_room(replace=replace, actor=actor)
    as_of = as_of or timezone.localdate()
    generator = DistrictGenerator(
        staff=staff, students=students, seed=seed, as_of=as_of, batch_size=batch_size
    )
    report = SeedReport(database=connection.vendor)
    _insert_district(generator, report, progress)
    _reset_sequences()
    report.counts["staff"] = staff
    report.counts["students"] = students
    report.seconds = round(time.perf_counter() - started, 2)
    audit_record(
        actor=actor,
        action="campus.district_seeded",
        target="campus:district",
        details={
            "seed": seed,
            "as_of": as_of.isoformat(),
            "counts": report.counts,
            "seconds": report.seconds,
        },
    )
    return report


def _make_room(*, replace: bool, actor) -> None:
    if not sandbox_is_empty():
        if not replace:
            raise SandboxNotEmpty("The sandbox already has a district (use replace=True).")
        district_clear(actor=actor)


def _insert_district(generator: DistrictGenerator, report: SeedReport, progress) -> None:
    """The reference data, then the people a batch at a time (a transaction each)."""
    with transaction.atomic():
        _insert(generator.reference(), report)
    done = 0
    for rows in generator.batches():
        with transaction.atomic():
            _insert(rows, report)
        done += 1
        if progress:
            progress(f"  batch {done}: {report.counts.get('person', 0)} persons so far")


def _insert(rows: dict[str, list[dict]], report: SeedReport) -> None:
    for table, model in MODELS.items():
        table_rows = rows.get(table)
        if not table_rows:
            continue
        if model is Address:  # the BOI address rules' keys, indexed for matching
            rows_fill_keys(table_rows)
        _insert_rows(model, table_rows)
        report.counts[table] = report.counts.get(table, 0) + len(table_rows)


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT with executemany: the ORM's bulk_create spends most of its time building SQL.

    Values go through the field's own conversion where the driver needs one (dates,
    date-times, encrypted SSNs); everything else is passed as is.
    """
    qn = connection.ops.quote_name
    fields = model._meta.concrete_fields
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from model metadata
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    columns = [
        (
            f.attname,
            f.get_default() if f.has_default() else None,
            f.get_db_prep_save if isinstance(f, models.DateField | EncryptedTextField) else None,
        )
        for f in fields
    ]
    conn = connections[DEFAULT_DB_ALIAS]  # the real connection: the proxy costs per access
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            values = []
            for row in rows[start : start + 5000]:
                record = []
                for attname, default, convert in columns:
                    value = row.get(attname, default)
                    record.append(convert(value, conn) if convert else value)
                values.append(record)
            cursor.executemany(sql, values)


def _reset_sequences() -> None:
    """The next insert gets the id after the seeded ones. PostgreSQL: its sequences.
    SQLite (AUTOINCREMENT): ``sqlite_sequence`` remembers the highest id a table ever had,
    so after ``replace=True`` a new person would land far past the seeded ones and a
    Campus client walking person IDs (the SOAP connection) would stop before reaching it."""
    if connection.vendor == "sqlite":
        _reset_sqlite_sequences()
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS.values()))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _reset_sqlite_sequences() -> None:
    with connection.cursor() as cursor:
        for model in MODELS.values():
            table = connection.ops.quote_name(model._meta.db_table)  # a model's own table
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM "  # noqa: S608
                f"{table}) WHERE name = %s",
                [model._meta.db_table],
            )
