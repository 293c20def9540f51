"""Reading an HR file: its encoding, its format, its bytes as text."""

from __future__ import annotations

import codecs
import re
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


# A UTF-8 letter beyond ASCII (é is C3 A9, ’ is E2 80 99): in Windows-1252 text such a
# pair reads "Ã©", which no name holds.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


class EncodingSniffer:
    r"""Fed the file's bytes as they arrive: UTF-8 (with or without BOM), UTF-16 with its
    BOM (Excel's "Unicode text") or Windows-1252.

    ``mixed_lines``: a line in UTF-8 and a line that is not (two exports pasted into one
    file); read as Windows-1252 the UTF-8 names would change ("MuÃ±oz").

    >>> sniffer = EncodingSniffer()
    >>> sniffer.feed("a\nMuñoz\n".encode()); sniffer.feed("Renée\n".encode("cp1252"), True)
    >>> sniffer.encoding, sniffer.mixed_lines
    ('cp1252', (2, 3))
    """

    def __init__(self):
        self._decoder = text_decoder("utf-8")
        self._first = b""
        self._lines = 0  # line ends before the chunk being fed
        self._utf8_line = 0
        self._other_line = 0
        self.is_utf8 = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if len(self._first) < 3:
            self._first += chunk[: 3 - len(self._first)]
        if self.is_utf8:
            try:
                self._decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                self.is_utf8 = False
                self._other_line = self._lines + chunk.count(b"\n", 0, exc.start) + 1
        if not self._utf8_line:
            found = _UTF8_SEQUENCE.search(chunk)
            if found:
                self._utf8_line = self._lines + chunk.count(b"\n", 0, found.start()) + 1
        self._lines += chunk.count(b"\n")

    @property
    def encoding(self) -> str:
        if self._first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if self._first.startswith(UTF16_BOMS):
            return "utf-16"
        return "utf-8" if self.is_utf8 else "cp1252"

    @property
    def mixed_lines(self) -> tuple[int, int] | tuple[()]:
        """(a UTF-8 line, a line that is not), in file order; () when the text is one."""
        if self.encoding != "cp1252" or not self._utf8_line:
            return ()
        return tuple(sorted((self._utf8_line, self._other_line)))


def iter_text(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): replace, not fail.
    return decoded(chunks, encoding, errors="replace")


def sniff_format(file_name: str, head: bytes) -> str:
    r"""``json``, ``xlsx`` (an Excel workbook: a zip, or a password-protected OLE file the
    reader refuses with its reason) or ``csv``; FileProblem for another program's
    spreadsheet or a file that is not text.

    >>> sniff_format("staff.txt", codecs.BOM_UTF16_LE + "[]".encode("utf-16-le"))
    'json'
    >>> sniff_format("staff.xls", b"staff_number\tlast_name\r\n")
    'csv'
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
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped[:1] == b"<":
        raise FileProblem(
            "This is a web page (HTML or XML), as some HR systems write under a spreadsheet's "
            "name: open it in Excel and save it as an Excel workbook (.xlsx) or as CSV, and "
            f"upload that. The console reads {READABLE}."
        )
    # Text under a workbook's name (a tab-separated ".xls" export) is read as the text it is.
    if file_name.lower().endswith((".json", ".jsonl", ".ndjson")) or stripped[:1] in (b"[", b"{"):
        return "json"
    return "csv"
