"""The HR export template: its columns, required ones, and the numbered repeats."""

from __future__ import annotations

import functools
import re

REPEATED_MAX = 3  # numbered employment / position columns in the CSV template

# (column, required, meaning) — the documented HR export layout.
BASE_COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("staff_number", True, "HR staff number = Campus Local Staff Number (letters and digits)"),
    ("last_name", True, "Last name (a change ends the Campus identity and starts a new one)"),
    ("first_name", True, "First name"),
    ("middle_name", False, "Middle name"),
    ("sex", True, "HR sex code, mapped to a Campus gender (Mapping tables)"),
    ("ssn", False, "Social Security number, NNN-NN-NNNN or 9 digits (stored encrypted)"),
    ("birth_date", False, "Birth date, YYYY-MM-DD or MM/DD/YYYY"),
    ("work_phone", False, "Work phone"),
    ("cell_phone", False, "Cell phone"),
    ("other_phone", False, "Other phone"),
    ("work_email", False, "Work e-mail"),
    ("personal_email", False, "Personal e-mail"),
)
EMPLOYMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("hire_date", "Hire date (required when the employment is given)"),
    ("termination_date", "Termination date (blank while employed)"),
    ("rehire_date", "Last hire date: after the termination date it starts a second employment"),
)
POSITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("location", "HR location, mapped to a Campus school number"),
    ("job_code", "HR job code, mapped to an assignment code and/or a title code"),
    ("title_description", "Title description (creates a new Campus title code)"),
    ("position_start_date", "Position start date (required when the position is given)"),
    ("position_end_date", "Position end date"),
)
ADDRESS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (column, BOI address field, meaning)
    ("address_full", "fullStreetAddress", "Full street line — OR the components below"),
    ("address_po_box", "postOfficeBox", "yes for a PO box (then only its number), or its number"),
    ("address_po_box_number", "boxNumber", "PO box number (a number makes the address a PO box)"),
    ("address_number", "number", "House number, or the PO box number"),
    ("address_prefix", "prefix", "Pre-directional (N, South …)"),
    ("address_street", "street", "Street name"),
    ("address_tag", "tag", "Street suffix (Ave, St …)"),
    ("address_direction", "direction", "Post-directional (NE, SW …)"),
    ("address_apt", "apt", "Apartment / unit"),
    ("address_line2", "line2", "Address line 2: apartment or unit (Apt 2, Unit 5, #3)"),
    ("address_city", "city", "City"),
    ("address_state", "state", "State (code or name)"),
    ("address_zip", "zip", "ZIP or ZIP+4"),
    ("address_county", "county", "County"),
)
ADDRESS_FIELD_OF = {column: name for column, name, _ in ADDRESS_COLUMNS}

REPEATED = re.compile(
    r"^(hire_date|termination_date|rehire_date|location|job_code|title_description|position_start_date|"
    r"position_end_date)(?:_(\d+))?$"
)
PAYLOAD_SCALARS = {
    "staff_number": "staffNumber",
    "last_name": "lastName",
    "first_name": "firstName",
    "middle_name": "middleName",
    "birth_date": "birthDate",
    "work_phone": "workPhone",
    "cell_phone": "cellPhone",
    "other_phone": "otherPhone",
    "work_email": "workEmail",
    "personal_email": "personalEmail",
}


def numbered(name: str, n: int) -> str:
    """``("location", 2)`` → ``"location_2"``; the first of a kind has no number."""
    return name if n == 1 else f"{name}_{n}"


@functools.lru_cache(maxsize=4096)
def repeated(column: str) -> tuple[str, int] | None:
    """``"location_2"`` → ``("location", 2)``; None for a column that is not numbered."""
    match = REPEATED.match(column)
    return (match.group(1), int(match.group(2) or 1)) if match else None


def template_columns() -> list[tuple[str, bool, str]]:
    """Every template column as (name, required, meaning), in file order."""
    columns = list(BASE_COLUMNS)
    for n in range(1, REPEATED_MAX + 1):
        for name, meaning in EMPLOYMENT_COLUMNS:
            columns.append((numbered(name, n), False, f"{meaning} — employment {n}"))
    for n in range(1, REPEATED_MAX + 1):
        for name, meaning in POSITION_COLUMNS:
            columns.append((numbered(name, n), False, f"{meaning} — position {n}"))
    columns += [(name, False, meaning) for name, _, meaning in ADDRESS_COLUMNS]
    return columns


TEMPLATE_NAMES = frozenset(name for name, _, _ in template_columns())


def is_template_name(name: str) -> bool:
    """A template column, numbered beyond the template's 3 too (``location_7``): a staff
    member carries as many positions and employments as HR has."""
    return name in TEMPLATE_NAMES or repeated(name) is not None


REQUIRED_NAMES = tuple(name for name, required, _ in BASE_COLUMNS if required)
# The required columns in words ("Last name"): their meaning up to its first aside.
REQUIRED_LABELS = {
    name: re.split(r" \(| = |, ", meaning)[0]
    for name, required, meaning in BASE_COLUMNS
    if required
}
DATE_KINDS = frozenset(
    ("hire_date", "termination_date", "rehire_date", "position_start_date", "position_end_date")
)


def is_date_name(name: str) -> bool:
    """A template column that holds a date (``birth_date``, ``hire_date_2`` …)."""
    kind = repeated(name)
    return name == "birth_date" or (kind is not None and kind[0] in DATE_KINDS)
