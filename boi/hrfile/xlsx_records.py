"""Excel (.xlsx) HR files, read row by row (the header first) with openpyxl.

The workbook is opened read-only (openpyxl streams the sheet's XML; the zip itself is
held in memory, compressed, as the encrypted store hands it over — never as a clear-text
temporary file). The first worksheet is read; its first row is the header. Dates come
as real dates and are written ``YYYY-MM-DD``; whole numbers lose Excel's ``.0``.
Workbooks with macros and password-protected ones are refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from boi.hrfile.reading import FileProblem

XLSX_MAGIC = b"PK\x03\x04"
# A password-protected workbook is an OLE compound file, as is an old .xls one.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_PROBLEM = (
    "This is a password-protected workbook or an old-style .xls one: save it in Excel "
    "as an .xlsx workbook without a password (or as CSV) and upload that."
)


def iter_xlsx(chunks: Iterable[bytes]) -> Iterator[tuple[int, dict[str, str]] | list[str]]:
    """Yields the header list first, then (Excel row number, {header: value}) per row."""
    data = b"".join(chunks)
    if data.startswith(OLE_MAGIC):
        raise FileProblem(OLE_PROBLEM)
    rows = _sheet_rows(data)
    header = _header(next(rows, None))
    yield header
    for number, cells in enumerate(rows, start=2):
        values = [_text(value) for value in cells]
        if not any(values):
            continue
        record = dict(zip(header, values, strict=False))
        extra = [v for v in values[len(header) :] if v]
        if extra:
            record["__extra__"] = str(len(extra))
        yield number, record


def _sheet_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook  # imported on use: only Excel uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise FileProblem("The Excel workbook is damaged or not an .xlsx file.") from None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise FileProblem(
            "The workbook holds macros: save it in Excel as an .xlsx workbook "
            "(without macros) or as CSV and upload that."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem("The Excel workbook cannot be read: save it again as .xlsx.") from None
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def _header(cells: tuple | None) -> list[str]:
    if cells is None:
        raise FileProblem("The workbook's first sheet is empty.")
    header = [_text(value) for value in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem("The first row (the header) is blank.")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise FileProblem(f"The header names a column twice: {', '.join(duplicates)}.")
    return header


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def excel_zip(record: dict) -> None:
    """A ZIP Excel kept as a number lost its leading zeros (02134 → 2134, ZIP+4 too): put
    them back in the record's ``address_zip`` (template names)."""
    value = record.get("address_zip", "")
    if value.isdigit() and len(value) in (3, 4, 7, 8):
        record["address_zip"] = value.zfill(9 if len(value) > 5 else 5)
