"""Reading an HR file: its encoding, its format, its bytes as text."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from idbridge.streams import decoded, text_decoder


class FileProblem(Exception):
    """The file as a whole cannot be read (not the format said, no header, …)."""


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
READABLE = "CSV (or tab-separated text), Excel workbooks (.xlsx) and JSON files"
# Spreadsheets of other programs: refused by name, with what to save them as.
OTHER_SPREADSHEETS = {
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "an Apple Numbers spreadsheet (.numbers)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".xls": "an old-style Excel workbook (.xls)",
}


class EncodingSniffer:
    """Fed the file's bytes as they arrive: UTF-8 (with or without BOM), UTF-16 with its
    BOM (Excel's "Unicode text") or Windows-1252."""

    def __init__(self):
        self._decoder = text_decoder("utf-8")
        self._first = b""
        self.is_utf8 = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if len(self._first) < 3:
            self._first += chunk[: 3 - len(self._first)]
        if self.is_utf8:
            try:
                self._decoder.decode(chunk, final)
            except UnicodeDecodeError:
                self.is_utf8 = False

    @property
    def encoding(self) -> str:
        if self._first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if self._first.startswith(UTF16_BOMS):
            return "utf-16"
        return "utf-8" if self.is_utf8 else "cp1252"


def iter_text(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): replace, not fail.
    return decoded(chunks, encoding, errors="replace")


def sniff_format(file_name: str, head: bytes) -> str:
    """``json``, ``xlsx`` (an Excel workbook: a zip, or a password-protected OLE file the
    reader refuses with its reason) or ``csv``; FileProblem for another program's
    spreadsheet or a file that is not text.

    >>> sniff_format("staff.txt", codecs.BOM_UTF16_LE + "[]".encode("utf-16-le"))
    'json'
    """
    suffix = "." + file_name.lower().rpartition(".")[2]
    if suffix in OTHER_SPREADSHEETS and suffix != ".xls":  # .xls: the reader says why
        raise FileProblem(
            f"This is {OTHER_SPREADSHEETS[suffix]}: save it as an Excel workbook (.xlsx) or "
            f"as CSV and upload that. The console reads {READABLE}."
        )
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "xlsx"
    if head.startswith(UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode()
    elif b"\x00" in head:
        raise FileProblem(
            f"This is not a text file (it may be another kind of file renamed). "
            f"The console reads {READABLE}."
        )
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return "xlsx"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if file_name.lower().endswith((".json", ".jsonl", ".ndjson")) or stripped[:1] in (b"[", b"{"):
        return "json"
    return "csv"
