"""Text and JSON read as they arrive, in bounded memory (no Django).

``text_decoder`` / ``decoded`` turn byte chunks into text (a character cut between two
chunks is put back together); ``JsonReader`` reads JSON values one at a time from text
chunks through a sliding buffer, so a file or a response of any size is never held
whole. The console's HR file reader and the BOI client's validate report
(``idbridge.connectors.boi.report``) are both built on them.

    >>> reader = JsonReader(['[{"a"', ': 1}, 12', "345]"])
    >>> reader.expect("[")
    >>> reader.value(), reader.peek(" ,"), reader.value()
    ({'a': 1}, '1', 12345)
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

WHITESPACE = " \t\r\n"
_GROWTH = 64 * 1024  # at least this much more text when a value does not fit the buffer


class JsonStreamError(ValueError):
    """The text is not the JSON it should be."""


def text_decoder(encoding: str = "utf-8", errors: str = "strict") -> codecs.IncrementalDecoder:
    """A decoder fed bytes a chunk at a time (``decode(chunk, final)``): a character cut
    between two chunks is put back together."""
    return codecs.getincrementaldecoder(encoding)(errors=errors)


def decoded(
    chunks: Iterable[bytes], encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[str]:
    """Byte chunks → text chunks (empty ones left out), decoded incrementally."""
    decoder = text_decoder(encoding, errors)
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", True)
    if tail:
        yield tail


class JsonReader:
    """JSON text from chunks, read a value at a time through a sliding buffer.

    The caller walks the structure around the values (``peek``, ``expect``, ``advance``);
    ``value`` decodes one whole value, reading more text until it is complete. A value
    longer than ``max_value_chars`` (when given) is refused rather than buffered.
    """

    def __init__(self, texts: Iterable[str], *, max_value_chars: int | None = None):
        self._chunks = iter(texts)
        self._decoder = json.JSONDecoder()
        self.max_value_chars = max_value_chars
        self.buf = ""
        self.pos = 0
        self.eof = False

    def fill(self, at_least: int = 1) -> bool:
        """Read at least ``at_least`` more characters (fewer at the end); False if none."""
        added = 0
        while added < at_least:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            if not added:  # what was read already is dropped from the buffer
                self.buf, self.pos = self.buf[self.pos :], 0
            self.buf += chunk
            added += len(chunk)
        return added > 0

    def peek(self, skipped: str = WHITESPACE) -> str:
        """Skip the ``skipped`` characters; the next character ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in skipped:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def lookahead(self, count: int) -> str:
        """The next ``count`` characters as they are (fewer at the end)."""
        while len(self.buf) - self.pos < count and self.fill():
            pass
        return self.buf[self.pos : self.pos + count]

    def advance(self, count: int = 1) -> None:
        self.pos += count

    def expect(self, char: str) -> None:
        """Skip whitespace, then ``char`` (or JsonStreamError)."""
        if self.peek() != char:
            raise JsonStreamError(f"expected {char!r} at character {self.pos}")
        self.pos += 1

    def value(self) -> Any:
        """One JSON value; reads more text until it is complete."""
        self.peek()
        while True:
            try:
                parsed, end = self._decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                pending = len(self.buf) - self.pos
                if self.eof or (self.max_value_chars and pending > self.max_value_chars):
                    raise JsonStreamError(exc.msg) from None
                self.fill(max(pending, _GROWTH))  # doubles: a large value stays linear
                continue
            if self._may_go_on(parsed, end) and self.fill():
                continue
            self.pos = end
            return parsed

    def _may_go_on(self, parsed: Any, end: int) -> bool:
        """A number is complete only once something follows it: "12" may be the start of
        "12345", "1.5" of "1.5e3" (strings, arrays, objects and literals end themselves)."""
        if self.eof or isinstance(parsed, bool) or not isinstance(parsed, int | float):
            return False
        after = end
        while after < len(self.buf) and self.buf[after] in WHITESPACE:
            after += 1
        return after == len(self.buf) or self.buf[after] not in ",}]:"
