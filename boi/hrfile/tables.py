"""A tabular HR file (CSV or Excel), read row by row: the header first, then the rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from boi.hrfile.csv_records import iter_csv
from boi.hrfile.reading import iter_text
from boi.hrfile.xlsx_records import iter_xlsx

TABLE_FORMATS = ("csv", "xlsx")


def iter_table(
    file_format: str, chunks: Iterable[bytes], encoding: str
) -> Iterator[tuple[int, dict[str, str]] | list[str]]:
    """``iter_csv`` or ``iter_xlsx`` over the file's bytes, as its format says."""
    if file_format == "xlsx":
        return iter_xlsx(chunks)
    return iter_csv(iter_text(chunks, encoding))
