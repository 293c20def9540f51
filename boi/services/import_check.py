"""The row check of an HR import: every row built, checked and stored.

The check streams the file in bounded memory: rows are built and checked one at a time
and written ``CHUNK_ROWS`` at a time with one ``executemany``; duplicate staff numbers are
found afterwards by the database (GROUP BY), not in memory. A file that cannot be read
leaves no rows behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from boi import storage
from boi.hrfile.json_records import flatten_json_record, iter_json
from boi.hrfile.layout import staff_records
from boi.hrfile.reading import FileProblem, iter_text
from boi.hrfile.resolver import JobMapping, Resolver, resolver_unmapped
from boi.hrfile.rows import BuiltRow, build_row
from boi.hrfile.tables import TABLE_FORMATS, iter_table
from boi.hrfile.template import is_template_name
from boi.hrfile.xlsx_records import excel_dates, excel_zip
from boi.models import BoiConnection, HrImport, HrRow, MappingValue
from boi.rules.staff import Mappings
from idbridge.audit.services import audit_record
from idbridge.db import rows_delete
from idbridge.jobs.services import RunningJob, job_execute

log = logging.getLogger(__name__)
CHUNK_ROWS = 1000
MAX_ERRORS_PER_ROW = 30


def resolver_for(connection: BoiConnection) -> Resolver:
    locations, sexes, jobs = {}, {}, {}
    for m in MappingValue.objects.filter(connection=connection):
        if m.kind == MappingValue.Kind.LOCATION:
            locations[m.hr_value] = m.campus_value
        elif m.kind == MappingValue.Kind.SEX:
            sexes[m.hr_value] = m.campus_value
        else:
            jobs[m.hr_value] = JobMapping(m.campus_value, m.title_code, m.title_description)
    mappings = Mappings(
        genders=connection.campus_codes("genders"),
        school_numbers=connection.campus_codes("schools"),
        assignment_codes=connection.campus_codes("assignmentCodes"),
        title_codes=connection.campus_codes("titleCodes"),
    )
    return Resolver(locations, sexes, jobs, mappings)


class _Counted:
    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.bytes = chunks, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.bytes += len(chunk)
            yield chunk


def _records(hr_import: HrImport, counted: _Counted) -> Iterator[tuple[int, dict[str, str]]]:
    column_map = hr_import.column_map
    back = {target: source for source, target in column_map.items()}
    if hr_import.file_format in TABLE_FORMATS:
        rows = iter_table(hr_import.file_format, counted, hr_import.encoding)
        header = next(rows)
        # Every row has the header's columns: the file column → template column pairs
        # are worked out once, not per row.
        pairs = [(source, column_map[source]) for source in header if column_map.get(source)]
        for number, raw in rows:
            record: dict = {"__columns__": back}
            for source, target in pairs:
                if source in raw:
                    record[target] = raw[source]
            if "__extra__" in raw:
                record["__extra__"] = raw["__extra__"]
            if hr_import.file_format == "xlsx":
                excel_zip(record)
                excel_dates(record)
            yield number, record
        return
    for number, flat in iter_json(iter_text(counted, hr_import.encoding)):
        raw = flatten_json_record(flat)
        record = {"__columns__": back}
        for key, value in raw.items():
            target = column_map.get(key)
            if target is None and is_template_name(key) and key not in back:
                target = key  # a JSON key that is a template name needs no mapping
            if target:
                record[target] = value
        yield number, record


def hr_import_check(*, job_id: int, actor="system") -> HrImport | None:
    """Run the row check job ``job_id``; None when another worker has it."""
    return job_execute(job_id, lambda running: _check(running, actor))


def _check(running: RunningJob, actor) -> HrImport:
    import_id = running.subject_id
    HrImport.objects.filter(id=import_id).update(
        status=HrImport.Status.CHECKING, started_at=timezone.now(), problem=""
    )
    hr_import = HrImport.objects.select_related("connection").get(id=import_id)
    running.progress(0, total=hr_import.size_bytes, step="Reading and checking the rows")
    started = time.monotonic()
    rows_delete(HrRow.objects.filter(hr_import=hr_import))  # a check run again
    resolver = resolver_for(hr_import.connection)
    household_allowed = hr_import.connection.household_allowed
    counted = _Counted(storage.read(hr_import.storage_name))
    insert = _RowInserter(hr_import.id)
    batch: list[tuple] = []
    rows = 0
    try:
        records = _records(hr_import, counted)
        for number, record in staff_records(records, layout=hr_import.layout):
            built = build_row(record, resolver, household_allowed=household_allowed)
            batch.append(insert.values(number, built))
            rows += 1
            if len(batch) >= CHUNK_ROWS:
                insert(batch)
                batch = []
                running.progress(counted.bytes)
        insert(batch)
    except (FileProblem, UnicodeError, ValueError) as exc:
        rows_delete(HrRow.objects.filter(hr_import=hr_import))
        return _finish(running, hr_import, started, problem=str(exc), actor=actor)
    if rows == 0:
        return _finish(
            running, hr_import, started, problem="The file holds no staff rows.", actor=actor
        )
    running.progress(counted.bytes, step="Looking for staff numbers used twice")
    _mark_duplicates(hr_import)
    hr_import.row_count = rows
    hr_import.error_row_count = HrRow.objects.filter(hr_import=hr_import, has_errors=True).count()
    hr_import.unmapped = resolver_unmapped(resolver)
    return _finish(running, hr_import, started, actor=actor)


class _RowInserter:
    """Writes checked rows with one ``executemany`` per chunk.

    ``bulk_create`` builds its SQL value by value through the ORM's compiler, which cost
    more than the database itself (about a third of the check). The values still go
    through each field's own ``get_db_prep_save`` where the column needs it (the SSN is
    encrypted by its field, JSON adapted per database).
    """

    FIELDS = (
        "hr_import",
        "row_number",
        "staff_number",
        "last_name",
        "first_name",
        "birth_date",
        "payload",
        "ssn",
        "address_key",
        "address_components",
        "address_spelling",
        "errors",
        "has_errors",
        "is_excluded",
    )
    PREPARED = ("payload", "ssn", "address_components", "errors")

    def __init__(self, import_id: int):
        self.import_id = import_id
        meta = HrRow._meta
        self.prepare = {name: meta.get_field(name).get_db_prep_save for name in self.PREPARED}
        qn = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - model metadata
            qn(meta.db_table),
            ", ".join(qn(meta.get_field(name).column) for name in self.FIELDS),
            ", ".join(["%s"] * len(self.FIELDS)),
        )

    def values(self, number: int, built: BuiltRow) -> tuple:
        payload = built.payload
        prepare = self.prepare
        return (
            self.import_id,
            number,
            str(payload.get("staffNumber", ""))[:50],
            str(payload.get("lastName", ""))[:100],
            str(payload.get("firstName", ""))[:100],
            str(payload.get("birthDate", ""))[:10],
            prepare["payload"](payload, connection),
            prepare["ssn"](built.ssn, connection),
            built.address_key[:200],
            prepare["address_components"](built.address_components, connection),
            built.address_spelling,
            prepare["errors"](
                [p.as_dict() for p in built.problems[:MAX_ERRORS_PER_ROW]], connection
            ),
            bool(built.problems),
            False,
        )

    def __call__(self, batch: list[tuple]) -> None:
        # One short transaction per chunk (outside one, executemany commits every row).
        if batch:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(self.sql, batch)


def _mark_duplicates(hr_import: HrImport) -> int:
    """Rows whose staff number appears more than once in the file: each gets the error."""
    numbers = list(
        HrRow.objects.filter(hr_import=hr_import)
        .exclude(staff_number="")
        .values("staff_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("staff_number", flat=True)
    )
    column = next(
        (src for src, dst in hr_import.column_map.items() if dst == "staff_number"), "staff_number"
    )
    changed = 0
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        rows = list(HrRow.objects.filter(hr_import=hr_import, staff_number__in=chunk))
        lines: dict[str, list[int]] = {}
        for row in rows:
            lines.setdefault(row.staff_number, []).append(row.row_number)
        for row in rows:
            others = [n for n in sorted(lines[row.staff_number]) if n != row.row_number]
            message = (
                f"staff number '{row.staff_number}' is also on row(s) "
                f"{', '.join(map(str, others[:10]))}: each staff member must appear once"
            )
            row.errors = [
                *row.errors,
                {"column": column, "field": "staffNumber", "code": "duplicate", "message": message},
            ]
            changed += not row.has_errors
            row.has_errors = True
        HrRow.objects.bulk_update(rows, ["errors", "has_errors"])
    return changed


def _finish(
    running: RunningJob, hr_import: HrImport, started: float, *, problem: str = "", actor="system"
) -> HrImport:
    hr_import.status = HrImport.Status.FAILED if problem else HrImport.Status.CHECKED
    hr_import.problem = problem
    hr_import.finished_at = timezone.now()
    hr_import.seconds = round(time.monotonic() - started, 3)
    if problem:
        hr_import.row_count = hr_import.error_row_count = 0
    running.progress(hr_import.size_bytes, total=hr_import.size_bytes)
    with transaction.atomic():
        hr_import.save(
            update_fields=[
                "status",
                "problem",
                "finished_at",
                "seconds",
                "row_count",
                "error_row_count",
                "unmapped",
            ]
        )
        audit_record(
            actor=actor,
            action="boi.import.checked" if not problem else "boi.import.unreadable",
            target=hr_import,
            details={
                "rows": hr_import.row_count,
                "rows_with_errors": hr_import.error_row_count,
                "problem": problem,
                "seconds": hr_import.seconds,
            },
        )
        running.succeed()
    log.info(
        "hr import checked",
        extra={"import": hr_import.id, "rows": hr_import.row_count, "seconds": hr_import.seconds},
    )
    return hr_import
