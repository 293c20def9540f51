"""Excel (.xlsx) HR files, read row by row (the header first) with openpyxl.

The workbook is opened read-only (openpyxl streams the sheet's XML; the zip itself is
held in memory, compressed, as the encrypted store hands it over — never as a clear-text
temporary file). The first visible worksheet is read (a hidden lookup sheet before it
is not); its first row is the header, a blank header cell (the second half of a merged
one) named by its column letter. Dates come as real dates and are written
``YYYY-MM-DD``; whole numbers lose Excel's ``.0`` but keep the leading zeros their cell's
format shows (``000000``). Workbooks with macros and password-protected ones are refused,
as are zips that are not workbooks (OpenDocument, Word …).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from boi.hrfile.reading import READABLE, FileProblem
from boi.hrfile.template import is_date_name

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
        values = [_cell_text(cell) for cell in cells]
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
    if "xl/workbook.xml" not in names:
        raise FileProblem(
            "This is not an Excel workbook (an OpenDocument, Numbers or Word file, perhaps): "
            f"save it as an Excel workbook (.xlsx) or as CSV and upload that. The console "
            f"reads {READABLE}."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem("The Excel workbook cannot be read: save it again as .xlsx.") from None
    try:
        visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
        sheets = visible or book.worksheets
        if not sheets:
            raise FileProblem("The workbook has no sheet of rows (only charts, perhaps).")
        yield from _rows_read(sheets[0].iter_rows())
    finally:
        book.close()


def _rows_read(rows: Iterator[tuple]) -> Iterator[tuple]:
    """The sheet's rows; a sheet damaged part-way (cut short, bad XML) is a FileProblem
    naming the last row read, not an unexpected error a retry would meet again."""
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # openpyxl and the XML parser raise many kinds
            raise FileProblem(
                f"The Excel workbook is damaged after row {number}: open it in Excel, save "
                "it again as .xlsx (or as CSV) and upload that."
            ) from None
        number += 1
        yield row


def _header(cells: tuple | None) -> list[str]:
    if cells is None:
        raise FileProblem("The workbook's first visible sheet is empty.")
    header = [_cell_text(cell) for cell in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem("The first row (the header) is blank.")
    from openpyxl.utils import get_column_letter

    header = [h or f"Column {get_column_letter(i)}" for i, h in enumerate(header, start=1)]
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise FileProblem(f"The header names a column twice: {', '.join(duplicates)}.")
    return header


# A number format of zeros and dashes: 00000 (ZIP), 000000 (staff number), Excel's
# "Social Security Number" 000-00-0000 (written 000\-00\-0000) and "Zip Code + 4".
_ZEROS = re.compile(r"^0+(?:\\?-0+)*$")


def _cell_text(cell) -> str:
    """The cell as text; a whole number formatted ``00000`` or ``000-00-0000`` is written
    as Excel shows it, leading zeros and dashes kept (12345678 → 012-34-5678)."""
    value = getattr(cell, "value", None)
    text = _text(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and text.isdigit():
        shown = getattr(cell, "number_format", "") or ""
        if _ZEROS.match(shown):
            pattern = shown.replace("\\", "")
            digits = iter(text.zfill(pattern.count("0")))
            if pattern.count("0") >= len(text):
                return "".join(next(digits) if c == "0" else c for c in pattern)
    return text


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


EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 Feb 1900)


def excel_dates(record: dict) -> None:
    """A date Excel keeps as a number (``45292``, the cell formatted General) in a date
    column of the record (template names): written ``YYYY-MM-DD`` (45292 → 2024-01-01).
    A year alone (2020) stays as it is, an error saying to write a date: serials start at
    3654, 1910-01-01.

    >>> record = {"hire_date": "45292", "hire_date_2": "2020", "staff_number": "45292"}
    >>> excel_dates(record); record
    {'hire_date': '2024-01-01', 'hire_date_2': '2020', 'staff_number': '45292'}
    """
    for name, value in record.items():
        if isinstance(value, str) and value.isdigit() and is_date_name(name):
            serial = int(value)
            if 3654 <= serial <= 109_574:  # 1910-01-01 … 2199-12-31
                record[name] = (EXCEL_EPOCH + timedelta(days=serial)).isoformat()
