"""Campus's errors about one staff member, in HR's words: ``staff[3].household.
householdLocations[0].address.number`` / "number is required" becomes "Home address: house
number is required"."""

from __future__ import annotations

import re

LABELS = {
    "staffNumber": "staff number",
    "lastName": "last name",
    "firstName": "first name",
    "middleName": "middle name",
    "gender": "gender",
    "ssn": "SSN",
    "birthDate": "birth date",
    "workPhone": "work phone",
    "cellPhone": "cell phone",
    "otherPhone": "other phone",
    "workEmail": "work e-mail",
    "personalEmail": "personal e-mail",
    "hireDate": "hire date",
    "terminationDate": "termination date",
    "schoolNumber": "school number",
    "assignmentCode": "assignment code",
    "titleCode": "title code",
    "titleDescription": "title",
    "startDate": "start date",
    "endDate": "end date",
    "postOfficeBox": "PO box",
    "number": "house number",
    "prefix": "street direction",
    "street": "street",
    "tag": "street type",
    "direction": "street direction",
    "apt": "apartment or unit",
    "city": "city",
    "state": "state",
    "zip": "ZIP code",
    "county": "county",
    "fullStreetAddress": "street address",
}
PARTS = {"positions": "Position", "employments": "Employment"}
SEGMENT = re.compile(r"([A-Za-z]+)(?:\[(\d+)\])?")
NAMES = re.compile(r"\b(" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\b")


def _where_and_field(path: str) -> tuple[str, str]:
    """``positions[1].schoolNumber`` → ("Position 2", "school number"); the staff[N]
    prefix is dropped (the staff member is named beside the reason)."""
    where, field = "", ""
    for name, index in SEGMENT.findall(path or ""):
        if name == "staff":
            continue
        if name in PARTS:
            where = f"{PARTS[name]} {int(index or 0) + 1}"
        elif name in ("household", "householdLocations", "address"):
            where = "Home address"
        else:
            field = LABELS.get(name, name)
    return where, field


def error_in_words(error: dict) -> str:
    """One of Campus's ``{"field", "code", "message"}`` errors as a sentence HR reads."""
    where, field = _where_and_field(str(error.get("field") or ""))
    message = str(error.get("message") or "Campus refused it")
    if field == "house number" and "postOfficeBox" in message:
        field = "PO box number"
    message = NAMES.sub(lambda m: LABELS[m.group(1)], message)
    if field and field not in message:
        message = f"{field}: {message}"
    text = f"{where}: {message}" if where else message
    return text[:1].upper() + text[1:]


def errors_in_words(errors: list[dict]) -> str:
    """Every error of one staff member, one sentence each."""
    return "; ".join(error_in_words(e) for e in errors) or "Campus refused it (no reason given)"
