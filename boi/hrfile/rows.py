"""One HR record → the BOI staff payload and every problem with it (``build_row``).

>>> problems = build_row({"staff_number": "A1"}, Resolver.empty()).problems
>>> [(p.column, p.code) for p in problems][:2]
[('last_name', 'required'), ('first_name', 'required')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from boi.hrfile.address import household_address
from boi.hrfile.cells import RowCells, RowProblem
from boi.hrfile.employment import employments_of, positions_of
from boi.hrfile.resolver import Resolver
from boi.hrfile.template import PAYLOAD_SCALARS, REQUIRED_LABELS, REQUIRED_NAMES
from boi.hrfile.validation import add_rule_problems


@dataclass
class BuiltRow:
    payload: dict
    ssn: str
    problems: list[RowProblem]
    # the household address, normalized once (see boi.hrfile.address)
    address_key: str = ""
    address_components: dict | None = None
    address_spelling: str = ""
    address_errors: tuple = ()

    @property
    def staff_number(self) -> str:
        return str(self.payload.get("staffNumber", ""))


def build_row(record: Mapping[str, str], resolver: Resolver, *, household_allowed=True) -> BuiltRow:
    """One HR record (template column → text) → the BOI staff payload and every problem.

    ``record`` uses template names; ``record["__columns__"]`` (optional) maps each template
    name back to the file's column for messages; ``record["__problems__"]`` (optional) are
    problems found before (``boi.hrfile.layout``).
    """
    cells = RowCells.of(record)
    cells.problems.extend(record.get("__problems__", ()))  # a long layout's rows disagreeing
    _file_problems(cells)
    payload = _person(cells, resolver)
    employments = employments_of(cells)
    if employments:
        payload["employments"] = employments
    positions = positions_of(cells, resolver)
    if positions:
        payload["positions"] = positions
    built = BuiltRow(payload, _ssn(cells), cells.problems)
    if household_allowed:
        _household(cells, built)
    add_rule_problems(cells, payload, built.ssn, built.address_errors, resolver.mappings)
    return built


def _file_problems(cells: RowCells) -> None:
    """Cells beyond the header, and required columns left blank."""
    if cells.val("__extra__"):
        message = f"{cells.val('__extra__')} more cell(s) than the header"
        cells.problems.append(RowProblem("", "", "invalid", message))
    for name in REQUIRED_NAMES:
        if not cells.val(name):
            message = f"{REQUIRED_LABELS[name]} is missing (column {cells.col(name)})"
            cells.problem(name, "", "required", message)


def _person(cells: RowCells, resolver: Resolver) -> dict:
    """The person's own fields: names, numbers, birth date, gender."""
    payload: dict = {}
    for column, name in PAYLOAD_SCALARS.items():
        if cells.val(column):
            payload[name] = cells.val(column)
            cells.origins[name] = column
    cells.origins["ssn"] = "ssn"
    if cells.val("birth_date"):
        iso = cells.date("birth_date", "birthDate")
        if iso is None:
            payload.pop("birthDate", None)
        else:
            payload["birthDate"] = iso
    if cells.val("sex"):
        cells.origins["gender"] = "sex"
        gender = resolver.gender(cells.val("sex"))
        if gender is None:
            message = f"sex code '{cells.val('sex')}' is not mapped to a Campus gender"
            cells.problem("sex", "gender", "unmapped", message)
        else:
            payload["gender"] = gender
    return payload


_MASKED_SSN = re.compile(r"^[*xX#•]{3}-?[*xX#•]{2}-?\d{4}$")
_NO_SSN = frozenset(("n/a", "na", "none", "unknown", "-", "--", "?"))


def _ssn(cells: RowCells) -> str:
    """The SSN cell; a masked one (``***-**-6789``, as HR systems export by default) or a
    placeholder (``N/A``) is a problem saying what to do, and is not sent."""
    ssn = cells.val("ssn")
    if _MASKED_SSN.match(ssn):
        message = (
            "the SSN is masked in the file: export it with full SSNs, or set this column "
            "to “ignore” so Campus keeps the SSNs it has"
        )
    elif ssn.lower() in _NO_SSN:
        message = f"'{ssn}' is not an SSN: leave the cell blank when there is none"
    else:
        return ssn
    cells.problem("ssn", "ssn", "invalid", message)
    return ""


def _household(cells: RowCells, built: BuiltRow) -> None:
    found = household_address(cells)
    if found is None:
        return
    built.payload["household"] = {"householdLocations": [{"address": found.address}]}
    built.address_errors = found.errors
    built.address_key = found.key
    built.address_components = found.components
    built.address_spelling = found.spelling
