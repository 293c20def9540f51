"""The automatic column mapping: file headers → template columns, by name or HR spelling.

The spellings are ``boi.hrfile.header_names``; a numbered header ("Job Code 2", "Location3")
names the numbered template column when its words name a repeated one.
"""

from __future__ import annotations

from collections.abc import Iterable

from boi.hrfile.header_names import column_for_key, header_key
from boi.hrfile.template import REPEATED_MAX, is_template_name, numbered, repeated


def suggest_column(header: str) -> str:
    """The template column a file header most likely is ("" when none)."""
    key = header_key(header)
    if is_template_name(key.replace(" ", "_")):
        return key.replace(" ", "_")
    column = column_for_key(key)
    if column:
        return column
    words = key.rsplit(" ", 1)
    if len(words) == 2 and words[1].isdigit() and 1 <= int(words[1]) <= REPEATED_MAX:
        base = column_for_key(words[0])
        if base and repeated(base) and repeated(base)[1] == 1:
            return numbered(base, int(words[1]))
    return ""


def suggest_column_map(headers: Iterable[str]) -> dict[str, str]:
    """File column → template column, for headers that name one; each column used once,
    by the first header that names it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        name = suggest_column(header)
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping
