"""The automatic column mapping: file headers → template columns, by name or alias."""

from __future__ import annotations

import re
from collections.abc import Iterable

from boi.hrfile.template import is_template_name

# Header spellings HR systems commonly use, for the automatic column mapping.
ALIASES = {
    "employee_id": "staff_number",
    "employee_number": "staff_number",
    "emp_id": "staff_number",
    "staff_id": "staff_number",
    "staffnumber": "staff_number",
    "lastname": "last_name",
    "surname": "last_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "middlename": "middle_name",
    "gender": "sex",
    "sex_code": "sex",
    "social_security_number": "ssn",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "birthdate": "birth_date",
    "email": "work_email",
    "hire": "hire_date",
    "school": "location",
    "location_code": "location",
    "job": "job_code",
    "street_address": "address_full",
    "address": "address_full",
    "address1": "address_full",
    "city": "address_city",
    "state": "address_state",
    "zip": "address_zip",
    "zip_code": "address_zip",
    "postal_code": "address_zip",
    "county": "address_county",
}


def _canonical_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def suggest_column_map(headers: Iterable[str]) -> dict[str, str]:
    """File column → template column, for headers that are (or alias) a template name."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        canonical = _canonical_header(header)
        name = canonical if is_template_name(canonical) else ALIASES.get(canonical, "")
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping
