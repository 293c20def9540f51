"""The validate report, read member by member as it arrives (bounded memory)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, NamedTuple

from idbridge.streams import JsonReader, JsonStreamError

REPORT_ENTRY_KEYS = ("entries", "staff", "report", "items")  # the validate report's list


class JsonMember(NamedTuple):
    key: str
    value: Any
    is_element: bool  # one element of a streamed array, not the member's whole value


def iter_json_members(
    texts: Iterable[str], *, stream: Collection[str] | Callable[[str], bool] = ()
) -> Iterator[JsonMember]:
    """The members of one JSON object, read from text chunks in bounded memory.

    Yields ``(key, value, False)`` per member, except that a non-empty array under a key
    ``stream`` names (a collection of keys, or a predicate) comes element by element, as
    ``(key, element, True)``.

    >>> [tuple(m) for m in iter_json_members(['{"a": 1, "e": [{"n"', ': 2}, 3]}'], stream=["e"])]
    [('a', 1, False), ('e', {'n': 2}, True), ('e', 3, True)]
    """
    streamed = stream if callable(stream) else stream.__contains__
    reader = JsonReader(texts)
    reader.expect("{")
    first = True
    while reader.peek() != "}":
        if not first:
            reader.expect(",")
        first = False
        key = _member_key(reader)
        if reader.peek() == "[" and streamed(key):
            yield from _array_elements(reader, key)
        else:
            yield JsonMember(key, reader.value(), False)


def _member_key(reader: JsonReader) -> str:
    key = reader.value()
    if not isinstance(key, str):
        raise JsonStreamError("an object key must be a string")
    reader.expect(":")
    return key


def _array_elements(reader: JsonReader, key: str) -> Iterator[JsonMember]:
    """The array at the reader's ``[``, element by element (an empty one whole)."""
    reader.advance()
    if reader.peek() == "]":
        reader.advance()
        yield JsonMember(key, [], False)
        return
    while True:
        yield JsonMember(key, reader.value(), True)
        char = reader.peek()
        reader.advance()
        if char == "]":
            return
        if char != ",":
            raise JsonStreamError(f"expected ',' or ']' in {key!r}")
