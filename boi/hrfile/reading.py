"""Reading an HR file: its encoding, its format, its bytes as text."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from idbridge.streams import decoded, text_decoder


class FileProblem(Exception):
    """The file as a whole cannot be read (not the format said, no header, …)."""


class EncodingSniffer:
    """Fed the file's bytes as they arrive: UTF-8 (with or without BOM) or Windows-1252."""

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
        return "utf-8" if self.is_utf8 else "cp1252"


def iter_text(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): replace, not fail.
    return decoded(chunks, encoding, errors="replace")


def sniff_format(file_name: str, head: bytes) -> str:
    """``json``, ``xlsx`` (an Excel workbook: a zip, or a password-protected OLE file the
    reader refuses with its reason) or ``csv``."""
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "xlsx"
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return "xlsx"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if file_name.lower().endswith((".json", ".jsonl", ".ndjson")) or stripped[:1] in (b"[", b"{"):
        return "json"
    return "csv"
