"""A record's numbered employments and positions (``hire_date_2``, ``location_3`` …).

Each filled-in number becomes one employment or position of the payload, with HR's
locations and job codes resolved through the district's mapping tables.
"""

from __future__ import annotations

from collections.abc import Mapping

from boi.hrfile.cells import RowCells
from boi.hrfile.resolver import Resolver
from boi.hrfile.template import numbered, repeated

EMPLOYMENT_NAMES = ("hire_date", "termination_date", "rehire_date")
POSITION_NAMES = (
    "location",
    "job_code",
    "title_description",
    "position_start_date",
    "position_end_date",
)
EMPLOYMENT_DATES = (("hire_date", "hireDate"), ("termination_date", "terminationDate"))
POSITION_DATES = (("position_start_date", "startDate"), ("position_end_date", "endDate"))


def _indexes(values: Mapping[str, str], names: tuple[str, ...]) -> list[int]:
    """The numbers (1, 2, …) of the employments / positions the row fills in."""
    found: set[int] = set()
    for key, value in values.items():
        if value:
            info = repeated(key)
            if info is not None and info[0] in names:
                found.add(info[1])
    return sorted(found)


def employments_of(cells: RowCells) -> list[dict]:
    out: list[dict] = []
    for n in _indexes(cells.values, EMPLOYMENT_NAMES):
        item: dict[str, str] = {}
        path = f"employments[{len(out)}]"
        for column, name in EMPLOYMENT_DATES:
            column = numbered(column, n)
            cells.origins[f"{path}.{name}"] = column
            if cells.val(column):
                # a bad date keeps the employment (its problem is reported)
                item[name] = cells.date(column, f"{path}.{name}") or "0000-00-00"
        out.append(item)
        rehire = _rehire(cells, item, numbered("rehire_date", n), len(out))
        if rehire is not None:
            out.append(rehire)
    return out


def _rehire(cells: RowCells, item: dict, column: str, index: int) -> dict | None:
    """Original hire, termination and last hire on one row: a last hire after the
    termination is a rehire, a second employment open from the last hire (the first runs
    from the original hire to the termination). A last hire without a later termination
    is the same employment."""
    if not cells.val(column):
        return None
    last = cells.date(column, f"employments[{index}].hireDate")
    if last is None:
        return None
    if not item.get("hireDate"):
        item["hireDate"] = last  # only the last hire given: the employment starts then
        cells.origins[f"employments[{index - 1}].hireDate"] = column
        return None
    ended = item.get("terminationDate", "")
    if not ended or last <= ended or last == item["hireDate"]:
        return None
    cells.origins[f"employments[{index}].hireDate"] = column
    return {"hireDate": last}


def positions_of(cells: RowCells, resolver: Resolver) -> list[dict]:
    out: list[dict] = []
    for n in _indexes(cells.values, POSITION_NAMES):
        path = f"positions[{len(out)}]"
        _position_origins(cells, path, n)
        item: dict[str, str] = {}
        _school(cells, item, path, numbered("location", n), resolver)
        _job(cells, item, path, numbered("job_code", n), resolver)
        description = numbered("title_description", n)
        if cells.val(description):
            item["titleDescription"] = cells.val(description)
            cells.origins[f"{path}.titleDescription"] = description
        for column, name in POSITION_DATES:
            column = numbered(column, n)
            iso = cells.date(column, f"{path}.{name}") if cells.val(column) else None
            if iso is not None:
                item[name] = iso
        out.append(item)
    return out


def _position_origins(cells: RowCells, path: str, n: int) -> None:
    job = numbered("job_code", n)
    cells.origins[f"{path}.schoolNumber"] = numbered("location", n)
    for name in ("assignmentCode", "titleCode", "titleDescription"):
        cells.origins[f"{path}.{name}"] = job
    cells.origins[f"{path}.startDate"] = numbered("position_start_date", n)
    cells.origins[f"{path}.endDate"] = numbered("position_end_date", n)


def _school(cells: RowCells, item: dict, path: str, column: str, resolver: Resolver) -> None:
    value = cells.val(column)
    if not value:
        return
    school = resolver.school(value)
    if school is None:
        message = f"location '{value}' is not mapped to a Campus school"
        cells.problem(column, f"{path}.schoolNumber", "unmapped", message)
    item["schoolNumber"] = school if school is not None else value


def _job(cells: RowCells, item: dict, path: str, column: str, resolver: Resolver) -> None:
    value = cells.val(column)
    if not value:
        return
    mapped = resolver.job(value)
    if mapped is None:
        message = f"job code '{value}' is not mapped to an assignment or title code"
        cells.problem(column, f"{path}.assignmentCode", "unmapped", message)
        return
    if mapped.assignment_code:
        item["assignmentCode"] = mapped.assignment_code
    if mapped.title_code:
        item["titleCode"] = mapped.title_code
    if mapped.title_description:
        item["titleDescription"] = mapped.title_description
