"""Long layout: an export with one row per position (or job), the person repeated.

HR and finance systems (Skyward, Tyler Munis, Frontline …) often write one row per
position or job, repeating the staff member's own fields on each. The rows of one staff
number that carry different positions or employments are put together into one record of
the wide layout (``location``, ``location_2``, … ``location_7``): as many positions and
employments as HR has, because positions HR leaves out are removed in Campus unless
linked. A position or employment repeated on several rows is kept once. Rows of one
staff number that carry the same positions are left apart (the check reports the staff
number used twice). Where the rows of one person disagree on the person's own fields
(name, birth date, address …) the record gets a problem naming the rows; where they are
plainly two people's (another first name, or another name and birth date or SSN), one
problem names each person with their rows, so HR can give one of them another number.

The rows are held in memory until the file is read (a staff member's rows need not be
next to each other): about 24,000 rows for a 20,000-staff district.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from boi.hrfile.cells import RowProblem
from boi.hrfile.employment import EMPLOYMENT_NAMES
from boi.hrfile.template import numbered, repeated

Record = dict


PER_POSITION, PER_STAFF = "per_position", "per_staff"  # as HrImport.Layout says


def staff_records(
    records: Iterable[tuple[int, Record]], *, layout: str = "detect"
) -> Iterator[tuple[int, Record]]:
    """The file's records with the rows of one staff member put together (file order, by
    each staff member's first row).

    ``layout``: ``per_position`` puts every staff number's rows together; ``per_staff``
    none (the file is read as it streams); ``detect`` those whose rows carry different
    positions or employments."""
    if layout == PER_STAFF:
        yield from records
        return
    groups: dict[str, list[tuple[int, Record]]] = {}
    for number, record in records:
        staff = str(record.get("staff_number", "")).strip()
        groups.setdefault(staff or f"\0{number}", []).append((number, record))
    for rows in groups.values():
        if len(rows) > 1 and (layout == PER_POSITION or _differ(rows)):
            yield rows[0][0], merge_rows(rows)
        else:
            yield from rows


def _differ(rows: list[tuple[int, Record]]) -> bool:
    return len({_jobs_of(record) for _, record in rows}) > 1


def _jobs_of(record: Record) -> tuple:
    return tuple(sorted((k, v.strip()) for k, v in record.items() if _kind(k) and v.strip()))


def _kind(key: str) -> str:
    info = repeated(key)
    if info is None:
        return ""
    return "employment" if info[0] in EMPLOYMENT_NAMES else "position"


def merge_rows(rows: list[tuple[int, Record]]) -> Record:
    """One staff member's rows → one wide-layout record (the first row's line number)."""
    columns = rows[0][1].get("__columns__", {})  # template column → the file's
    back = dict(columns)
    merged: Record = {"__columns__": back, "__problems__": _disagreements(rows, columns)}
    seen: dict[str, list[tuple]] = {"employment": [], "position": []}
    for number, record in rows:
        for key, value in record.items():
            if key.startswith("__") or _kind(key) or not isinstance(value, str):
                continue
            if value.strip() and not merged.get(key, "").strip():
                merged[key] = value
        for kind, groups in _groups(record).items():
            for group in groups:
                if group not in seen[kind]:
                    seen[kind].append(group)
                    _renumber(merged, group, len(seen[kind]), number, columns)
        if "__extra__" in record:
            merged["__extra__"] = record["__extra__"]
    return merged


def _groups(record: Record) -> dict[str, list[tuple]]:
    """The row's employments and positions, each as its (name, value) pairs."""
    by_number: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for key, value in record.items():
        kind = _kind(key)
        if kind and isinstance(value, str) and value.strip():
            name, n = repeated(key)
            by_number.setdefault((kind, n), []).append((name, value.strip()))
    out: dict[str, list[tuple]] = {"employment": [], "position": []}
    for (kind, _), pairs in sorted(by_number.items()):
        out[kind].append(tuple(sorted(pairs)))
    return out


def _renumber(merged: Record, group: tuple, n: int, row: int, columns: dict) -> None:
    """The group as the merged record's ``n``-th; its cells named by column and row."""
    for name, value in group:
        key = numbered(name, n)
        merged[key] = value
        merged["__columns__"][key] = f"{columns.get(name, name)} (row {row})"


PERSON_WORDS = {
    "last_name": "last name",
    "first_name": "first name",
    "middle_name": "middle name",
    "birth_date": "birth date",
    "ssn": "Social Security number",
    "sex": "sex",
}


def _disagreements(rows: list[tuple[int, Record]], back: dict) -> list[RowProblem]:
    """A problem per person field the rows fill in differently (blank cells agree); one
    problem naming each person when the rows are different people's."""
    people = _people(rows)
    if len(people) > 1 and _different_people(rows, people):
        return [_shared_number(rows, people, back.get("staff_number", "staff_number"))]
    problems = []
    names = {k for _, record in rows for k in record if not k.startswith("__") and not _kind(k)}
    for name in sorted(names, key=_field_order):
        values: dict[str, tuple[str, int]] = {}  # compared spelling → (as written, row)
        for number, record in rows:
            value = " ".join(str(record.get(name, "")).split())
            if value:
                values.setdefault(_compared(name, value), (value, number))
        if len(values) > 1:
            problems.append(_disagreement(name, back.get(name, name), list(values.values())))
    return problems


def _compared(name: str, value: str) -> str:
    if name == "ssn":
        return "".join(c for c in value if c.isdigit())
    return value.upper()


def _field_order(name: str) -> tuple:
    return (name not in PERSON_WORDS, name)


def _disagreement(name: str, column: str, values: list[tuple[str, int]]) -> RowProblem:
    rows = [row for _, row in values]
    listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    what = PERSON_WORDS.get(name, column)
    if name == "ssn":
        shown = "the numbers differ"  # never shown
    else:
        shown = ", ".join(f"row {row} has '{value}'" for value, row in values)
    message = (
        f"rows {listed} are one staff member but differ in {what} ({shown}): "
        "correct the rows in HR so they agree"
    )
    return RowProblem(column, "", "disagrees", message)


def _people(rows: list[tuple[int, Record]]) -> dict[tuple[str, str], tuple[str, list[int]]]:
    """The names the rows carry, compared without case or extra spaces: (first, last) →
    (the name as first written, its rows). Rows with no name agree with any."""
    people: dict[tuple[str, str], tuple[str, list[int]]] = {}
    for number, record in rows:
        first, last = (
            " ".join(str(record.get(k, "")).split()) for k in ("first_name", "last_name")
        )
        if first or last:
            written = people.setdefault(
                (first.upper(), last.upper()), (f"{first} {last}".strip(), [])
            )
            written[1].append(number)
    return people


def _different_people(rows: list[tuple[int, Record]], people: dict) -> bool:
    """Names that differ in the first name, or along with the birth date or SSN, are two
    people's; a last name alone may be one person's name change (reported as a
    disagreement)."""
    if len({first for first, _ in people}) > 1:
        return True
    for name in ("birth_date", "ssn"):
        values = {_compared(name, str(r.get(name, "")).strip()) for _, r in rows}
        if len(values - {""}) > 1:
            return True
    return False


def _rows_words(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"


def _shared_number(rows: list[tuple[int, Record]], people: dict, column: str) -> RowProblem:
    number = " ".join(str(rows[0][1].get("staff_number", "")).split())
    named = [f"{name} ({_rows_words(at)})" for name, at in people.values()]
    listed = ", ".join(named[:-1]) + f" and {named[-1]}"
    message = (
        f"staff number {number} is used by {len(named)} different people: {listed}. Give "
        "each person their own staff number in HR (or, if they are one person, correct the "
        "rows so they agree)"
    )
    return RowProblem(column, "", "shared_number", message)
