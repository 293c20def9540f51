"""CSV HR files, read row by row (the header first)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator

from boi.hrfile.reading import FileProblem


def _iter_lines(texts: Iterable[str]) -> Iterator[str]:
    pending = ""
    for text in texts:
        pending += text
        lines = pending.splitlines(keepends=True)
        pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        yield from lines
    if pending:
        yield pending


def _csv_dialect(sample: str):
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def iter_csv(texts: Iterable[str]) -> Iterator[tuple[int, dict[str, str]] | list[str]]:
    """Yields the header list first, then (line number, {header: value}) per row.

    Blank lines are skipped. A row with more cells than the header gets them under
    ``__extra__`` (reported as a problem by the caller).
    """
    lines = _iter_lines(texts)
    first = next(lines, None)
    if first is None:
        raise FileProblem("The file is empty.")
    reader = csv.reader(itertools.chain([first], lines), _csv_dialect(first))
    header = _header(reader)
    yield header
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            record = dict(zip(header, cells, strict=False))
            if len(cells) > len(header):
                record["__extra__"] = str(len(cells) - len(header))
            yield reader.line_num, record
    except csv.Error as exc:
        raise FileProblem(f"Line {reader.line_num}: {exc}") from None


def _header(reader) -> list[str]:
    """The header line's column names: present, and each named once."""
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblem(f"The header line cannot be read: {exc}") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header):
        raise FileProblem("The first line (the header) is blank.")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise FileProblem(f"The header names a column twice: {', '.join(duplicates)}.")
    return header
