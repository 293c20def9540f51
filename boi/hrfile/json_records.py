"""JSON HR files: an array of staff objects, ``{"staff": [...]}`` or one object per line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping

from boi.hrfile.reading import FileProblem
from boi.hrfile.template import numbered
from idbridge.streams import WHITESPACE, JsonReader, JsonStreamError

_STAFF_WRAPPER = re.compile(r'\{\s*"staff"\s*:\s*\[')
MAX_RECORD_CHARS = 1_000_000


def iter_json(texts: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(record number, object) for a JSON array of objects, ``{"staff": [...]}`` or NDJSON."""
    reader = JsonReader(texts, max_value_chars=MAX_RECORD_CHARS)
    is_array = _json_opening(reader)
    count = 0
    while True:
        char = reader.peek(WHITESPACE + "," if is_array else WHITESPACE)
        if not char and is_array:
            raise FileProblem(f"The JSON array ends early, after record {count}.")
        if not char or (is_array and char == "]"):
            return
        try:
            value = reader.value()
        except JsonStreamError as exc:
            raise FileProblem(f"Record {count + 1}: not valid JSON ({exc}).") from None
        except RecursionError:  # [[[[…]]]] thousands deep: no staff record is
            raise FileProblem(
                f"Record {count + 1} is nested too deeply for a staff record."
            ) from None
        count += 1
        if not isinstance(value, dict):
            raise FileProblem(f"Record {count}: a staff record must be a JSON object.")
        yield count, value


def _json_opening(reader: JsonReader) -> bool:
    """Reads up to the first record: True for an array of them, False for NDJSON."""
    first = reader.peek("\ufeff" + WHITESPACE)
    if not first:
        raise FileProblem("The file is empty.")
    wrapper = _STAFF_WRAPPER.match(reader.lookahead(64))
    if first == "[":
        reader.advance()
        return True
    if wrapper:
        reader.advance(wrapper.end())
        return True
    if first == "{":
        return False  # one object per line (NDJSON)
    raise FileProblem("A JSON export must be an array of staff objects.")


def flatten_json_record(record: Mapping[str, object]) -> dict[str, str]:
    """Nested ``employments`` / ``positions`` lists become numbered columns; scalars text."""
    flat: dict[str, str] = {}
    for key, value in record.items():
        if key == "employments" and isinstance(value, list):
            for n, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    for name in ("hire_date", "termination_date", "rehire_date"):
                        flat[numbered(name, n)] = _scalar(item.get(name))
        elif key == "positions" and isinstance(value, list):
            for n, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    for name, source in (
                        ("location", "location"),
                        ("job_code", "job_code"),
                        ("title_description", "title_description"),
                        ("position_start_date", "start_date"),
                        ("position_end_date", "end_date"),
                    ):
                        flat[numbered(name, n)] = _scalar(item.get(source, item.get(name)))
        elif isinstance(value, dict | list):
            flat[key] = json.dumps(value)  # reported as a problem if the column is used
        else:
            flat[key] = _scalar(value)
    return flat


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
