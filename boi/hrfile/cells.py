"""One HR record's cells while it is built: values, the file's column names, problems.

``RowCells`` is what every step of ``boi.hrfile.rows.build_row`` reads and adds to: a
problem names the column as the *file* does, and ``origins`` remembers which template
column each payload path came from, so that the BOI rules' errors (which name payload
paths) can be reported against a cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from boi.rules.staff import mask_ssns_in_text


@dataclass(frozen=True, slots=True)
class RowProblem:
    column: str  # as the file names it
    field: str  # BOI payload path, or "" for file-level cell problems
    code: str
    message: str

    def __post_init__(self):
        # never an SSN in a message, whichever column the operator's file put it in
        object.__setattr__(self, "message", mask_ssns_in_text(self.message))

    def as_dict(self) -> dict[str, str]:
        return {
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class RowCells:
    values: dict[str, str]  # template column → the cell, stripped once
    columns: Mapping[str, str]  # template column → the file's column
    problems: list[RowProblem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # payload path → template column

    @classmethod
    def of(cls, record: Mapping[str, object]) -> RowCells:
        """``record`` uses template names; ``record["__columns__"]`` (optional) maps each
        template name back to the file's column."""
        columns: Mapping[str, str] = record.get("__columns__", {})  # type: ignore[assignment]
        values = {k: v.strip() for k, v in record.items() if isinstance(v, str)}
        return cls(values, columns)

    def val(self, name: str) -> str:
        return self.values.get(name, "")

    def col(self, name: str) -> str:
        return self.columns.get(name, name)

    def problem(self, name: str, path: str, code: str, message: str) -> None:
        """A problem with the cell of template column ``name`` (payload ``path``)."""
        self.problems.append(RowProblem(self.col(name), path, code, message))

    def date(self, name: str, path: str) -> str | None:
        """The cell as an ISO date; None, and a problem, when it is not a date."""
        iso = parse_date(self.val(name))
        if iso is None:
            message = f"'{self.val(name)}' is not a date ({_date_hint(self.val(name))})"
            self.problem(name, path, "invalid", message)
        return iso


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Excel writes a date cell to CSV with its time when the cell's format shows one.
_MIDNIGHT = re.compile(r"\s+(?:0?0:00(?::00)?|12:00(?::00)? ?AM)$", re.IGNORECASE)
_SHORT_YEAR = re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/\d{4}$")


def _date_hint(text: str) -> str:
    """What to write instead of a cell that is not a date."""
    if _SHORT_YEAR.match(text):
        return "the year has two digits: write it in full, MM/DD/YYYY or YYYY-MM-DD"
    match = _DAY_FIRST.match(text)
    if match and int(match.group(1)) > 12 >= int(match.group(2)):
        return "the month comes first: write MM/DD/YYYY or YYYY-MM-DD"
    return "write YYYY-MM-DD or MM/DD/YYYY"


def parse_date(text: str) -> str | None:
    """``2024-08-19`` or ``8/19/2024`` (``8/19/2024 0:00`` too) → ``2024-08-19``; None if
    not a real date.

    >>> parse_date("8/1/2020 0:00"), parse_date("2/30/2024"), parse_date("13/01/2024")
    ('2020-08-01', None, None)
    """
    text = _MIDNIGHT.sub("", text.strip())
    match = _US_DATE.match(text)
    try:
        if match:
            month, day, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        if _ISO.match(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        return None
    return None
