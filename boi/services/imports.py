"""HR imports: upload (encrypted at rest), column mapping, excluding rows, deleting.

The row check itself is ``boi.services.import_check``.
"""

from __future__ import annotations

from django.db import transaction

from boi import storage
from boi.hrfile.column_map import suggest_column_map
from boi.hrfile.json_records import flatten_json_record, iter_json
from boi.hrfile.reading import FileProblem, iter_text, sniff_format
from boi.hrfile.tables import TABLE_FORMATS, iter_table
from boi.hrfile.template import REQUIRED_NAMES, is_template_name
from boi.jobs import CHECK
from boi.models import BoiConnection, HrImport, HrRow
from boi.services import ConsoleError
from idbridge.audit.services import audit_record
from idbridge.jobs.services import job_queue

HEADER_SAMPLE_RECORDS = 50


# --- upload and column mapping ------------------------------------------------------------


def hr_import_upload(
    *, connection: BoiConnection, file_name: str, stored: storage.StoredFile, actor
) -> HrImport:
    """Record an uploaded file (already stored encrypted): its format and its columns.

    Raises ConsoleError, and deletes the stored file, when it has no readable header.
    """
    file_format, headers = _format_and_headers(connection, file_name, stored)
    with transaction.atomic():
        hr_import = HrImport.objects.create(
            connection=connection,
            file_name=file_name[:255],
            file_format=file_format,
            encoding="" if file_format == "xlsx" else stored.encoding,  # a workbook has none
            size_bytes=stored.size,
            sha256=stored.sha256,
            storage_name=stored.name,
            headers=headers,
            column_map=suggest_column_map(headers),
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="boi.import.uploaded",
            target=hr_import,
            details={
                "file": file_name,
                "bytes": stored.size,
                "sha256": stored.sha256,
                "format": file_format,
                "encoding": stored.encoding,
            },
        )
    return hr_import


def _format_and_headers(
    connection: BoiConnection, file_name: str, stored: storage.StoredFile
) -> tuple[str, list[str]]:
    """The file's format and its columns; ConsoleError, the file deleted, when unreadable."""
    try:
        if not connection.campus_lists:
            raise ConsoleError("Fetch Campus's lists (schools, genders, codes) before importing.")
        if stored.size == 0:
            raise ConsoleError(f"{file_name}: the file is empty.")
        file_format = sniff_format(file_name, storage.head(stored.name))
        if file_format != "xlsx" and stored.mixed_lines:
            utf8, other = stored.mixed_lines
            raise FileProblem(
                f"Lines {utf8} and {other} are written in two different ways (UTF-8 and "
                "Windows-1252, as when two exports are pasted into one file), so names "
                "would be misspelled: save the whole file again from Excel as "
                "“CSV UTF-8” and upload that."
            )
        return file_format, _headers(stored.name, file_format, stored.encoding)
    except FileProblem as exc:
        storage.delete(stored.name)
        raise ConsoleError(f"{file_name}: {exc}") from None
    except BaseException:  # refused or broken: the encrypted file is not kept either way
        storage.delete(stored.name)
        raise


def _headers(name: str, file_format: str, encoding: str) -> list[str]:
    if file_format in TABLE_FORMATS:
        rows = iter_table(file_format, storage.read(name), encoding)
        header = list(next(rows))
        first = next(rows, None)  # the first row read too: a refused file leaves nothing
        if first is None:
            raise FileProblem("The file has a header line but no staff rows under it.")
        if len(header) == 1 and "__extra__" in first[1]:
            line = "row" if file_format == "xlsx" else "line"
            raise FileProblem(
                f"The first {line} has one column ({header[0]}) and {line} {first[0]} has "
                f"more: is there a title above the header {line}? Remove it and upload again."
            )
        return header
    texts = iter_text(storage.read(name), encoding)
    seen: dict[str, None] = {}
    for number, record in iter_json(texts):
        for key in flatten_json_record(record):
            seen.setdefault(key, None)
        if number >= HEADER_SAMPLE_RECORDS:
            break
    if not seen:
        raise FileProblem("The JSON export holds no staff records.")
    return list(seen)


def hr_import_map_columns(
    *, hr_import: HrImport, column_map: dict[str, str], actor, layout: str = ""
) -> HrImport:
    """Save the column mapping (and how the rows are laid out) and queue the row check."""
    layout = layout or hr_import.layout
    if layout not in HrImport.Layout.values:
        raise ConsoleError("Choose how the file's rows are laid out.")
    clean = {k: v for k, v in column_map.items() if v and k in hr_import.headers}
    targets = list(clean.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise ConsoleError(f"Each template column may be used once: {', '.join(twice)}.")
    unknown = sorted(t for t in set(targets) if not is_template_name(t))
    if unknown:
        raise ConsoleError(f"Not template columns: {', '.join(unknown)}.")
    missing = [n for n in REQUIRED_NAMES if n not in targets]
    if missing:
        raise ConsoleError(f"Map a file column to each required column: {', '.join(missing)}.")
    with transaction.atomic():
        claimed = HrImport.objects.filter(
            id=hr_import.id,
            status__in=[HrImport.Status.UPLOADED, HrImport.Status.CHECKED, HrImport.Status.FAILED],
        ).update(
            column_map=clean,
            layout=layout,
            status=HrImport.Status.QUEUED,
            problem="",
        )
        if not claimed:
            raise ConsoleError("This import is being checked already.")
        if hr_import.runs.exists():
            raise ConsoleError("A sync uses this import: upload the file again instead.")
        job = job_queue(kind=CHECK, subject_id=hr_import.id, total=hr_import.size_bytes)
        HrImport.objects.filter(id=hr_import.id).update(check_job=job)
        audit_record(
            actor=actor,
            action="boi.import.mapped",
            target=hr_import,
            details={"columns": clean, "layout": layout, "job": job.id},
        )
    hr_import.refresh_from_db()
    return hr_import


# --- excluding rows ----------------------------------------------------------------------------


def hr_rows_exclude_bad(*, hr_import: HrImport, actor) -> int:
    """Exclude every row with errors, so the good rows can go on to a sync."""
    with transaction.atomic():
        count = HrRow.objects.filter(
            hr_import=hr_import, has_errors=True, is_excluded=False
        ).update(is_excluded=True)
        _recount(hr_import)
        audit_record(
            actor=actor,
            action="boi.import.excluded_bad_rows",
            target=hr_import,
            details={"rows": count},
        )
    return count


def hr_row_set_excluded(*, row: HrRow, excluded: bool, actor) -> HrRow:
    with transaction.atomic():
        HrRow.objects.filter(id=row.id).update(is_excluded=excluded)
        row.is_excluded = excluded
        _recount(row.hr_import)
        audit_record(
            actor=actor,
            action="boi.import.row_excluded" if excluded else "boi.import.row_included",
            target=row.hr_import,
            details={"row": row.row_number, "staff_number": row.staff_number},
        )
    return row


def _recount(hr_import: HrImport) -> None:
    hr_import.excluded_count = HrRow.objects.filter(hr_import=hr_import, is_excluded=True).count()
    hr_import.save(update_fields=["excluded_count"])


def hr_import_delete(*, hr_import: HrImport, actor) -> None:
    if hr_import.runs.exists():
        raise ConsoleError("A sync uses this import; it is kept for its results.")
    name = hr_import.storage_name
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="boi.import.deleted",
            target=hr_import,
            details={"file": hr_import.file_name},
        )
        hr_import.delete()
        transaction.on_commit(lambda: storage.delete(name))
