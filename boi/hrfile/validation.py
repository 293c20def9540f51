"""The BOI rules' check of a built payload, reported against the file's columns.

An error the row building reported already with the HR value (an unmapped code, a bad
date, a required column left blank) is not reported a second time.
"""

from __future__ import annotations

from collections.abc import Mapping

from boi.hrfile.cells import RowCells, RowProblem
from boi.rules.errors import RuleError
from boi.rules.staff import Mappings, validate_staff

NAME_FIELDS = ("lastName", "firstName", "staffNumber")


def add_rule_problems(
    cells: RowCells, payload: dict, ssn: str, address_errors: tuple, mappings: Mappings
) -> None:
    """Check the payload with the BOI rules and add each new error as a problem.

    The household address was checked when it was normalized, with the same rules and
    paths (``address_errors``): validating it again would parse every address twice.
    """
    rest = {k: v for k, v in payload.items() if k != "household"}
    check = validate_staff({**rest, **({"ssn": ssn} if ssn else {})}, mappings)
    reported = _reported_fields(cells.problems)
    for error in (*check.errors, *address_errors):
        if not _reported_already(error, reported, payload, cells):
            column = cells.col(_column_of(error.field, cells.origins))
            cells.problems.append(RowProblem(column, error.field, error.code, error.message))


def _reported_fields(problems: list[RowProblem]) -> set[str]:
    """The payload paths the row building has a problem for (an unmapped job code stands
    for its title code too)."""
    fields = {p.field for p in problems if p.field}
    fields |= {
        p.field.replace("assignmentCode", "titleCode") for p in problems if p.code == "unmapped"
    }
    return fields


def _reported_already(
    error: RuleError, reported: set[str], payload: Mapping, cells: RowCells
) -> bool:
    if error.field in reported:
        return True  # with the HR value (unmapped, bad date, …)
    if error.code == "required" and error.field in NAME_FIELDS:
        return True  # by the required-column check
    return error.field == "gender" and "gender" not in payload and bool(cells.val("sex"))


def _column_of(path: str, origins: Mapping[str, str]) -> str:
    """The template column behind a payload path (longest known prefix)."""
    probe = path
    while probe:
        if probe in origins:
            return origins[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return path
