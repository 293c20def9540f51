"""CSV HR files, read row by row (the header first)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator

from boi.hrfile.reading import FileProblem

# A line of an HR export is a few hundred characters; one this long is not a staff row
# (a quote left open swallows the rest of the file, or the file is not an export).
MAX_LINE_CHARS = 100_000
LINE_TOO_LONG = (
    'is longer than 100,000 characters: a quote (") left open swallows the lines after it, '
    "or this is not an HR export"
)


def _iter_lines(texts: Iterable[str]) -> Iterator[str]:
    """The text's lines, ends kept. Only CR, LF and CRLF end a line (not the other breaks
    ``str.splitlines`` knows, such as U+2028 pasted into a name), and a CRLF split between
    two chunks is one line end."""
    pending, number = "", 0
    for text in texts:
        lines = (pending + text).splitlines(keepends=True)
        # the last line waits for the next chunk: unfinished, or perhaps half a CRLF
        pending = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        carry = ""
        for line in lines:
            if line[-1] not in "\r\n":  # another break: part of the line, not its end
                carry += line
                continue
            number += 1
            if carry:
                line, carry = carry + line, ""
            if len(line) > MAX_LINE_CHARS:
                _check_length(number, line)
            yield line
        pending = carry + pending
        _check_length(number + 1, pending)
    if pending:
        yield pending


def _check_length(number: int, line: str) -> None:
    if len(line) > MAX_LINE_CHARS:
        raise FileProblem(f"Line {number} {LINE_TOO_LONG}.")


def _csv_dialect(sample: str):
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def iter_csv(texts: Iterable[str]) -> Iterator[tuple[int, dict[str, str]] | list[str]]:
    """Yields the header list first, then (line number, {header: value}) per row.

    Blank lines are skipped. A row with more filled cells than the header gets their
    count under ``__extra__`` (reported as a problem by the caller).
    """
    lines = _iter_lines(texts)
    first = next(lines, None)
    if first is None:
        raise FileProblem("The file is empty.")
    reader = csv.reader(itertools.chain([first], lines), _csv_dialect(first))
    header = _header(reader)
    yield header
    while True:
        start = reader.line_num + 1  # where a quote left open began, not where it broke
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(_in_words(start, exc)) from None
        if not any(c.strip() for c in cells):
            continue
        if '="' in "\0".join(cells):  # rare: unwrapped only where it is needed
            cells = [_unwrapped(c) for c in cells]
        record = dict(zip(header, cells, strict=False))
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            record["__extra__"] = str(len(extra))
        yield reader.line_num, record


def _unwrapped(cell: str) -> str:
    """``="02134"``, the formula HR systems write so that Excel keeps a number's leading
    zeros, as the text it shows: ``02134``."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        return cell[2:-1].replace('""', '"')
    return cell


def _in_words(line: int, exc: csv.Error) -> str:
    """A ``csv.Error`` as the operator reads it, naming the line."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"Line {line}: a cell {LINE_TOO_LONG}."
    if "NUL" in text:
        return f"Line {line} holds a NUL character: the file is not text (or not all of it)."
    if "new-line character seen in unquoted field" in text:
        return f"Line {line} ends in a lone carriage return: save the file again as CSV."
    return f'Line {line} cannot be read as CSV: check its quotes (") and separators.'


def _header(reader) -> list[str]:
    """The header line's column names: present, and each named once; a blank one is named
    by its place (``Column 3``), trailing blank ones (a trailing comma) are left out."""
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblem(_in_words(1, exc)) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem("The first line (the header) is blank.")
    header = [h or f"Column {i}" for i, h in enumerate(header, start=1)]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise FileProblem(f"The header names a column twice: {', '.join(duplicates)}.")
    return header
