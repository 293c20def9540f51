"""Staff payload rules: what the BOI API accepts for a staff member, and what an update does.

The payload (the BOI API's staff schema)::

    staffNumber, lastName, firstName, middleName, gender, ssn, birthDate,
    workPhone, cellPhone, otherPhone, workEmail, personalEmail,
    employments[{hireDate, terminationDate}],
    positions[{schoolNumber, assignmentCode, titleCode, titleDescription, startDate, endDate}],
    household{..., householdLocations[{address{...}}]}

Rules from the guide:

- gender, schoolNumber and assignmentCode must be values Campus knows (the district's lists,
  which the caller passes in as ``Mappings``);
- a titleCode Campus does not know is created, from titleDescription;
- a position needs a schoolNumber, a startDate and a titleCode or an assignmentCode;
- employment and position dates are stored as sent: no check that a termination follows
  the hire or that records do not overlap (only that each date is a real YYYY-MM-DD date);
- a change of lastName, firstName or middleName ends the current Identity and starts a new
  one; the other demographics are updated in place.

Choices the guide leaves to its API documentation, made here: staffNumber, lastName,
firstName and gender are required (a gender must be a Campus gender, and a blank is not);
an employment needs its hireDate; an SSN is 9 digits, dashes optional; e-mail addresses
must look like one; every scalar is a JSON string (so "010" keeps its leading zero);
a staffNumber holds at most 20 characters, a name 100, a phone number 25 and an e-mail
address 254 (what Campus's fields hold: a longer value would be cut or refused at commit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date

from .addresses import normalize_address
from .errors import RuleError, join_path

STAFF_FIELDS = (
    "staffNumber",
    "lastName",
    "firstName",
    "middleName",
    "gender",
    "ssn",
    "birthDate",
    "workPhone",
    "cellPhone",
    "otherPhone",
    "workEmail",
    "personalEmail",
    "employments",
    "positions",
    "household",
)
REQUIRED_FIELDS = ("staffNumber", "lastName", "firstName", "gender")
NAME_FIELDS = ("lastName", "firstName", "middleName")  # a change makes a new Identity
IN_PLACE_FIELDS = (
    "gender",
    "ssn",
    "birthDate",
    "workPhone",
    "cellPhone",
    "otherPhone",
    "workEmail",
    "personalEmail",
)
EMPLOYMENT_FIELDS = ("hireDate", "terminationDate")
POSITION_FIELDS = (
    "schoolNumber",
    "assignmentCode",
    "titleCode",
    "titleDescription",
    "startDate",
    "endDate",
)

MAX_LENGTHS = {
    "staffNumber": 20,
    "lastName": 100,
    "firstName": 100,
    "middleName": 100,
    "workPhone": 25,
    "cellPhone": 25,
    "otherPhone": 25,
    "workEmail": 254,
    "personalEmail": 254,
}
_STAFF_NUMBER = re.compile(r"^[A-Za-z0-9]+$")
_SSN = re.compile(r"^\d{3}-?\d{2}-?\d{4}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Mappings:
    """The district's Campus lists (the BOI API's GET methods): the values payloads may use."""

    genders: Set[str]
    school_numbers: Set[str]
    assignment_codes: Set[str]
    title_codes: Set[str]


@dataclass(frozen=True, slots=True)
class TitleToCreate:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class StaffCheck:
    """Every problem with a staff payload, and the title codes Campus would create for it."""

    errors: tuple[RuleError, ...]
    titles_to_create: tuple[TitleToCreate, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One demographic difference. ``new_identity`` marks a name change (ends the Identity)."""

    field: str
    old: str | None
    new: str | None
    new_identity: bool = False


# --- small checks -------------------------------------------------------------------------


def text(value: object) -> str:
    """A scalar as trimmed text; None and non-strings count as blank."""
    return value.strip() if isinstance(value, str) else ""


def check_date(value: object, field: str) -> list[RuleError]:
    """A blank date is fine here (callers check required fields); a present one must be real."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return [RuleError(field, "invalid", "must be a date written YYYY-MM-DD")]
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return [RuleError(field, "invalid", "is not a real calendar date")]
    return []


def _unknown_fields(
    item: Mapping[str, object], allowed: Sequence[str], path: str
) -> list[RuleError]:
    return [
        RuleError(join_path(path, str(name)), "unknown_field", f"'{name}' is not a known field")
        for name in item
        if name not in allowed
    ]


def _scalar_type_errors(
    item: Mapping[str, object], names: Sequence[str], path: str
) -> list[RuleError]:
    return [
        RuleError(join_path(path, name), "invalid", f"{name} must be a string")
        for name in names
        if item.get(name) is not None and not isinstance(item.get(name), str)
    ]


def _length_errors(item: Mapping[str, object]) -> list[RuleError]:
    """Values longer than Campus's field holds.

    >>> [e.message for e in _length_errors({"staffNumber": "A" * 21, "lastName": "Ng"})]
    ['staffNumber is 21 characters long: Campus holds at most 20']
    """
    return [
        RuleError(
            name,
            "too_long",
            f"{name} is {len(value)} characters long: Campus holds at most {limit}",
        )
        for name, limit in MAX_LENGTHS.items()
        if isinstance(value := item.get(name), str) and len(value.strip()) > limit
    ]


def mask_ssn(ssn: str | None) -> str | None:
    """``123-45-6789`` -> ``***-**-6789``: the only form an SSN takes in a report."""
    if not ssn:
        return ssn
    digits = re.sub(r"\D", "", ssn)
    return f"***-**-{digits[-4:]}" if len(digits) >= 4 else "***"


_SSN_IN_TEXT = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])|(?<![\d-])\d{9}(?![\d-])")


def mask_ssns_in_text(message: str) -> str:
    """Every SSN-shaped number in a message masked: a cell quoted in an error may hold an
    SSN when a row's cells have shifted (an unquoted comma in a name).

    >>> mask_ssns_in_text("'123-45-6789' is not a date")
    "'***-**-6789' is not a date"
    """
    return _SSN_IN_TEXT.sub(lambda m: mask_ssn(m.group()) or "", message)


def mask_ssns(value: object) -> object:
    """A copy of a JSON value with every ``ssn`` masked (error log payloads, exports)."""
    if isinstance(value, Mapping):
        return {
            k: (mask_ssn(v) if k == "ssn" and isinstance(v, str) else mask_ssns(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_ssns(v) for v in value]
    return value


# --- positions and employments --------------------------------------------------------------


def validate_position(
    position: object, mappings: Mappings, *, path: str = "position"
) -> tuple[list[RuleError], TitleToCreate | None]:
    """One position (district assignment), as for the positions API."""
    if not isinstance(position, Mapping):
        return [RuleError(path, "invalid", "a position must be an object")], None
    errors = _unknown_fields(position, POSITION_FIELDS, path)
    errors += _scalar_type_errors(position, POSITION_FIELDS, path)
    school = text(position.get("schoolNumber"))
    assignment = text(position.get("assignmentCode"))
    title = text(position.get("titleCode"))
    if not school:
        errors.append(
            RuleError(join_path(path, "schoolNumber"), "required", "schoolNumber is required")
        )
    elif school not in mappings.school_numbers:
        message = f"school number '{school}' is not a Campus school"
        errors.append(RuleError(join_path(path, "schoolNumber"), "not_found", message))
    if not assignment and not title:
        message = "a position needs a titleCode or an assignmentCode"
        errors.append(RuleError(join_path(path, "titleCode"), "required", message))
    if assignment and assignment not in mappings.assignment_codes:
        message = f"assignment code '{assignment}' is not a Campus assignment code"
        errors.append(RuleError(join_path(path, "assignmentCode"), "not_found", message))
    to_create = None
    if title and title not in mappings.title_codes:
        description = text(position.get("titleDescription"))
        if description:
            to_create = TitleToCreate(title, description)
        else:
            message = (
                f"title code '{title}' is new to Campus: titleDescription is needed to create it"
            )
            errors.append(RuleError(join_path(path, "titleDescription"), "required", message))
    if not text(position.get("startDate")):
        errors.append(RuleError(join_path(path, "startDate"), "required", "startDate is required"))
    for name in ("startDate", "endDate"):
        if isinstance(position.get(name), str):
            errors += check_date(position.get(name), join_path(path, name))
    return errors, to_create


def validate_positions(
    positions: object, mappings: Mappings, *, path: str = "positions"
) -> tuple[list[RuleError], list[TitleToCreate]]:
    if not isinstance(positions, list):
        return [RuleError(path, "invalid", "positions must be a list")], []
    errors: list[RuleError] = []
    titles: dict[str, TitleToCreate] = {}
    for index, position in enumerate(positions):
        position_errors, title = validate_position(position, mappings, path=f"{path}[{index}]")
        errors += position_errors
        if title and title.code not in titles:
            titles[title.code] = title
    return errors, list(titles.values())


def validate_employments(employments: object, *, path: str = "employments") -> list[RuleError]:
    """Employments are stored as sent: each date must be a date, nothing more is checked."""
    if not isinstance(employments, list):
        return [RuleError(path, "invalid", "employments must be a list")]
    errors: list[RuleError] = []
    for index, employment in enumerate(employments):
        item_path = f"{path}[{index}]"
        if not isinstance(employment, Mapping):
            errors.append(RuleError(item_path, "invalid", "an employment must be an object"))
            continue
        errors += _unknown_fields(employment, EMPLOYMENT_FIELDS, item_path)
        errors += _scalar_type_errors(employment, EMPLOYMENT_FIELDS, item_path)
        if not text(employment.get("hireDate")):
            message = "hireDate is required"
            errors.append(RuleError(join_path(item_path, "hireDate"), "required", message))
        for name in EMPLOYMENT_FIELDS:
            if isinstance(employment.get(name), str):
                errors += check_date(employment.get(name), join_path(item_path, name))
    return errors


def validate_household(household: object, *, path: str = "household") -> list[RuleError]:
    """The household's locations and their addresses (other household fields have defaults)."""
    if not isinstance(household, Mapping):
        return [RuleError(path, "invalid", "household must be an object")]
    locations = household.get("householdLocations")
    if locations is None:
        return []
    locations_path = join_path(path, "householdLocations")
    if not isinstance(locations, list):
        return [RuleError(locations_path, "invalid", "householdLocations must be a list")]
    errors: list[RuleError] = []
    for index, location in enumerate(locations):
        location_path = f"{locations_path}[{index}]"
        if not isinstance(location, Mapping):
            errors.append(
                RuleError(location_path, "invalid", "a household location must be an object")
            )
        elif location.get("address") is not None:
            errors += normalize_address(
                location["address"], path=join_path(location_path, "address")
            )[1]
    return errors


# --- the whole payload ----------------------------------------------------------------------


def validate_staff(
    payload: object, mappings: Mappings, *, household_allowed: bool = True
) -> StaffCheck:
    """Every problem with a staff create/update/transfer payload, at once.

    ``household_allowed`` is the district preference "Allow household and address
    creations/updates from the HR system": when it is off, Campus ignores household data,
    so it is not checked either.
    """
    if not isinstance(payload, Mapping):
        return StaffCheck((RuleError("", "invalid", "the staff member must be an object"),))
    errors = _unknown_fields(payload, STAFF_FIELDS, "")
    scalars = (*NAME_FIELDS, "staffNumber", *IN_PLACE_FIELDS)
    errors += _scalar_type_errors(payload, scalars, "")
    errors += _length_errors(payload)
    for name in REQUIRED_FIELDS:
        if isinstance(payload.get(name), str | None) and not text(payload.get(name)):
            errors.append(RuleError(name, "required", f"{name} is required"))
    staff_number = text(payload.get("staffNumber"))
    if staff_number and not _STAFF_NUMBER.match(staff_number):
        message = "staffNumber must be letters and digits only"
        errors.append(RuleError("staffNumber", "invalid", message))
    gender = text(payload.get("gender"))
    if gender and gender not in mappings.genders:
        message = f"gender '{gender}' is not a Campus gender"
        errors.append(RuleError("gender", "not_found", message))
    ssn = text(payload.get("ssn"))
    if ssn and not _SSN.match(ssn):
        message = "ssn must be nine digits, written NNN-NN-NNNN or NNNNNNNNN"
        errors.append(RuleError("ssn", "invalid", message))  # never the SSN itself
    if isinstance(payload.get("birthDate"), str):
        errors += check_date(payload["birthDate"], "birthDate")
    for name in ("workEmail", "personalEmail"):
        email = text(payload.get(name))
        if email and not _EMAIL.match(email):
            errors.append(RuleError(name, "invalid", f"{name} is not an e-mail address"))
    if payload.get("employments") is not None:
        errors += validate_employments(payload["employments"])
    titles: list[TitleToCreate] = []
    if payload.get("positions") is not None:
        position_errors, titles = validate_positions(payload["positions"], mappings)
        errors += position_errors
    if household_allowed and payload.get("household") is not None:
        errors += validate_household(payload["household"])
    return StaffCheck(tuple(errors), tuple(titles))


# --- updates --------------------------------------------------------------------------------


def _compare_value(name: str, value: object) -> str:
    if name == "ssn":
        return re.sub(r"\D", "", text(value))
    return text(value)


def demographic_changes(
    current: Mapping[str, object], incoming: Mapping[str, object]
) -> list[FieldChange]:
    """What an update changes in demographics. A field the update leaves out is not changed;
    one sent blank is cleared. SSNs appear masked.
    """
    changes: list[FieldChange] = []
    for name in (*NAME_FIELDS, *IN_PLACE_FIELDS):
        if name not in incoming:
            continue
        if _compare_value(name, current.get(name)) == _compare_value(name, incoming.get(name)):
            continue
        old, new = text(current.get(name)) or None, text(incoming.get(name)) or None
        if name == "ssn":
            old, new = mask_ssn(old), mask_ssn(new)
        changes.append(FieldChange(name, old, new, new_identity=name in NAME_FIELDS))
    return changes


def name_changed(current: Mapping[str, object], incoming: Mapping[str, object]) -> bool:
    """True when lastName, firstName or middleName changes: the current Identity is end-dated
    and a new one (starting the day of the call) becomes current.

    >>> name_changed({"lastName": "Ng", "firstName": "Ana"}, {"lastName": "Ng-Park"})
    True
    """
    return any(change.new_identity for change in demographic_changes(current, incoming))
