"""OneRoster 1.2 ``filter`` query parameter: parsing, and matching plain records.

No Django here. The grammar (OneRoster 1.2 REST binding, section 3.4.1)::

    filter     := predicate [ " AND " predicate | " OR " predicate ]
    predicate  := field operator "'" value "'"
    operator   := "=" | "!=" | ">" | ">=" | "<" | "<=" | "~"

``~`` means "contains". At most two predicates, joined by one logical operator. Values
are single-quoted; a quote inside a value is written twice (``'O''Brien'``).

>>> parse_filter("dateLastModified>'2026-01-01T00:00:00Z'").predicates[0]
Predicate(field='dateLastModified', op='>', value='2026-01-01T00:00:00Z')
>>> parse_filter("role='teacher' AND familyName~'son'").logical
'AND'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

OPERATORS = ("!=", ">=", "<=", "=", ">", "<", "~")
LOGICAL = ("AND", "OR")
MAX_LENGTH = 2000

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


class FilterError(ValueError):
    """The filter cannot be used; ``code`` is the OneRoster imsx_CodeMinor value."""

    code = "invalid_filter_field"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Predicate:
    field: str
    op: str
    value: str


@dataclass(frozen=True)
class Filter:
    predicates: tuple[Predicate, ...]
    logical: str | None = None  # "AND" / "OR" when there are two predicates

    @property
    def fields(self) -> set[str]:
        return {p.field for p in self.predicates}


def parse_filter(text: str, allowed_fields: Container[str] | None = None) -> Filter:
    """Parse ``text``; with ``allowed_fields``, a predicate on any other field is refused."""
    if text is None or not text.strip():
        raise FilterError("The filter is empty.")
    if len(text) > MAX_LENGTH:
        raise FilterError("The filter is too long.")
    pos = _skip_spaces(text, 0)
    first, pos = _predicate(text, pos)
    predicates = [first]
    logical = None
    pos = _skip_spaces(text, pos)
    if pos < len(text):
        word = re.compile(r"(AND|OR)\b", re.IGNORECASE).match(text, pos)
        if not word or pos == 0 or not text[pos - 1].isspace():
            raise FilterError(f"Expected AND or OR at position {pos + 1} of the filter.")
        logical = word.group(1).upper()
        pos = _skip_spaces(text, word.end())
        second, pos = _predicate(text, pos)
        predicates.append(second)
        pos = _skip_spaces(text, pos)
        if pos < len(text):
            raise FilterError(
                "A filter holds at most two predicates joined by one AND or OR "
                f"(unexpected text at position {pos + 1})."
            )
    if allowed_fields is not None:
        for p in predicates:
            if p.field not in allowed_fields:
                raise FilterError(f"'{p.field}' is not a field that can be filtered on.", p.field)
    return Filter(tuple(predicates), logical)


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _predicate(text: str, pos: int) -> tuple[Predicate, int]:
    match = _FIELD.match(text, pos)
    if not match:
        raise FilterError(f"Expected a field name at position {pos + 1} of the filter.")
    field = match.group(0)
    pos = _skip_spaces(text, match.end())
    op = next((o for o in OPERATORS if text.startswith(o, pos)), None)
    if op is None:
        raise FilterError(f"Expected an operator (= != > >= < <= ~) after '{field}'.", field)
    pos = _skip_spaces(text, pos + len(op))
    if pos >= len(text) or text[pos] != "'":
        raise FilterError(f"The value for '{field}' must be in single quotes.", field)
    value_chars = []
    pos += 1
    while True:
        if pos >= len(text):
            raise FilterError(f"The value for '{field}' has no closing quote.", field)
        char = text[pos]
        if char == "'":
            if text.startswith("''", pos):
                value_chars.append("'")
                pos += 2
                continue
            pos += 1
            break
        value_chars.append(char)
        pos += 1
    return Predicate(field, op, "".join(value_chars)), pos


# --- Matching plain records (small collections such as orgs) ------------------------


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "~":
        return actual is not None and str(expected).lower() in str(actual).lower()
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    if actual is None:
        return False
    try:
        if op == ">":
            return actual > expected
        if op == ">=":
            return actual >= expected
        if op == "<":
            return actual < expected
        if op == "<=":
            return actual <= expected
    except TypeError:
        return False
    raise FilterError(f"Unknown operator {op}")  # pragma: no cover - parse_filter refuses it


def matcher(
    flt: Filter, getters: dict[str, Callable[[dict], Any]], convert=None
) -> Callable[[dict], bool]:
    """A predicate over records: ``getters[field](record)`` gives the compared value.

    ``convert(field, value)`` turns the filter's string value into the comparable type
    (a datetime for ``dateLastModified``, ...) and raises FilterError when it cannot.
    """
    converted = []
    for p in flt.predicates:
        if p.field not in getters:
            raise FilterError(f"'{p.field}' is not a field that can be filtered on.", p.field)
        value = convert(p.field, p.value) if convert else p.value
        converted.append((getters[p.field], p.op, value))

    def test(record: dict) -> bool:
        results = [_compare(get(record), op, value) for get, op, value in converted]
        if flt.logical == "OR":
            return any(results)
        return all(results)

    return test
