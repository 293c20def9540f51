"""Campus's errors about one staff member, in HR's words: ``staff[3].household.
householdLocations[0].address.number`` / "number is required" becomes "Home address: house
number is required"."""

from __future__ import annotations

import json
import re

from boi.rules.staff import mask_ssn

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
# API names in Campus's messages: camelCase ones and "ssn" (plain words such as "number" or
# "street" are left alone: "school number" must not become "school house number").
API_NAMES = [name for name in LABELS if name != name.lower() or name == "ssn"]
NAMES = re.compile(r"\b(" + "|".join(sorted(API_NAMES, key=len, reverse=True)) + r")\b")


def label_of(key: str) -> str:
    """An API field's label for a page's heading column: ``ssn`` → "SSN", ``zip`` → "ZIP
    code", ``workEmail`` → "Work e-mail"."""
    label = LABELS.get(key, key)
    return label[:1].upper() + label[1:]


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
    name = (SEGMENT.findall(str(error.get("field") or "")) or [("", "")])[-1][0]
    if field and name and message.startswith(name + " "):  # "number is required"
        message = field + message[len(name) :]
    if field and field not in message:
        message = f"{field}: {message}"
    text = f"{where}: {message}" if where else message
    return text[:1].upper() + text[1:]


def in_words(message: str) -> str:
    """A rule's message with its API names in words: "staffNumber must be letters and
    digits only" → "Staff number must be letters and digits only"."""
    text = NAMES.sub(lambda m: LABELS[m.group(1)], str(message or ""))
    return text[:1].upper() + text[1:]


def errors_in_words(errors: list[dict]) -> str:
    """Every error of one staff member, one sentence each."""
    return "; ".join(error_in_words(e) for e in errors) or "Campus refused it (no reason given)"


# --- a staff object as HR reads it ------------------------------------------------------------

PERSON_FIELDS = (
    "staffNumber",
    "firstName",
    "middleName",
    "lastName",
    "gender",
    "birthDate",
    "ssn",
    "workPhone",
    "cellPhone",
    "otherPhone",
    "workEmail",
    "personalEmail",
)
ADDRESS_ORDER = ("number", "prefix", "street", "tag", "direction", "apt")


def _dates(start: object, end: object, *, since: str = "from") -> str:
    if start and end:
        return f"{since} {start} to {end}"
    if start:
        return f"{since} {start}"
    return f"until {end}" if end else ""


def position_line(position: dict) -> str:
    """``{"schoolNumber": "0042", "titleCode": "TCH", "startDate": …}`` → "School 0042,
    assignment 101, title TCH (Teacher), from 2020-08-01"."""
    parts = []
    if position.get("schoolNumber"):
        parts.append(f"School {position['schoolNumber']}")
    if position.get("assignmentCode"):
        parts.append(f"assignment {position['assignmentCode']}")
    title = position.get("titleCode")
    if title:
        described = position.get("titleDescription")
        parts.append(f"title {title}" + (f" ({described})" if described else ""))
    elif position.get("titleDescription"):
        parts.append(f"title {position['titleDescription']}")
    dates = _dates(position.get("startDate"), position.get("endDate"))
    if dates:
        parts.append(dates)
    return ", ".join(parts) or "Position with no details"


def employment_line(employment: dict) -> str:
    """``{"hireDate": "2019-08-01", "terminationDate": None}`` → "Hired 2019-08-01, still
    employed"."""
    hired, ended = employment.get("hireDate"), employment.get("terminationDate")
    text = f"Hired {hired}" if hired else "No hire date"
    return text + (f", terminated {ended}" if ended else ", still employed")


def address_line(address: dict) -> str:
    """A household address's components (or its full street line) as one line."""
    if address.get("postOfficeBox") or address.get("boxNumber"):
        box = address.get("boxNumber") or address.get("number") or ""
        street = f"PO Box {box}".strip()
    else:
        parts = [str(address[k]) for k in ADDRESS_ORDER if address.get(k)]
        if address.get("apt") and str(address["apt"])[:1].isdigit():
            parts[-1] = f"Apt {address['apt']}"  # "8484 Washington St Apt 2"
        street = address.get("fullStreetAddress") or " ".join(parts)
    place = " ".join(str(address[k]) for k in ("state", "zip") if address.get(k))
    city = address.get("city") or ""
    tail = ", ".join(p for p in (city, place) if p)
    return ", ".join(p for p in (street, tail) if p) or "No address"


def staff_summary(staff: dict) -> dict:
    """A staff object (as sent to Campus) for a page, an alert or an e-mail: its person
    fields as ``(label, value)`` pairs (SSN masked, empty fields left out), its positions,
    employments and addresses as short lines. The dict keys are for templates only."""
    person = []
    for key in PERSON_FIELDS:
        value = staff.get(key)
        if value in (None, "", [], {}):
            continue
        shown = mask_ssn(str(value)) if key == "ssn" else str(value)
        person.append((label_of(key), shown))
    locations = (staff.get("household") or {}).get("householdLocations") or []
    return {
        "person": person,
        "positions": [
            position_line(p) for p in staff.get("positions") or [] if isinstance(p, dict)
        ],
        "employments": [
            employment_line(e) for e in staff.get("employments") or [] if isinstance(e, dict)
        ],
        "addresses": [
            address_line(loc.get("address") or {}) for loc in locations if isinstance(loc, dict)
        ],
    }


def staff_summary_text(staff: dict) -> str:
    """:func:`staff_summary` as plain text lines (e-mails and the Error Log)."""
    summary = staff_summary(staff)
    lines = [f"{label}: {value}" for label, value in summary["person"]]
    for title, key in (("Position", "positions"), ("Employment", "employments")):
        lines += [f"{title} {n}: {text}" for n, text in enumerate(summary[key], 1)]
    lines += [f"Home address: {text}" for text in summary["addresses"]]
    return "\n".join(lines)


# --- figures with their units -------------------------------------------------------------------


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """``count_of(1950, "staff")`` → "1,950 staff"; ``count_of(1, "row")`` → "1 row"."""
    unit = singular if n == 1 else (plural or (singular if singular == "staff" else singular + "s"))
    return f"{n:,} {unit}"


def outcome_words(
    *, added: int = 0, updated: int = 0, unchanged: int = 0, failed: int = 0, either: int = 0
) -> str:
    """A commit's outcome as an alert says it: "55 staff added", "3 staff added, 52 updated,
    1 failed"; ``either``: staff added or updated when Campus gave counts only."""
    parts = [
        f"{n:,} {word}"
        for n, word in (
            (added, "added"),
            (updated, "updated"),
            (either, "added or updated"),
            (unchanged, "unchanged"),
            (failed, "failed"),
        )
        if n
    ]
    if not parts:
        return "no staff committed"
    first, *rest = parts
    number, word = first.split(" ", 1)
    return ", ".join([f"{number} staff {word}", *rest])


# --- Campus calls and report lists ----------------------------------------------------------

CALLS = (  # (method or "", path pattern, words) — the first match names the call
    ("POST", r"sync/start", "Start a synchronization"),
    ("POST", r"sync/[^/]+/transfer", "Send staff to Campus (transfer)"),
    ("POST", r"sync/[^/]+/endTransfer", "End the transfer"),
    ("", r"sync/[^/]+/validate", "Validate"),
    ("POST", r"sync/[^/]+/commit", "Commit"),
    ("POST", r"sync/[^/]+/submitCommitJob", "Start Campus's commit job"),
    ("GET", r"sync/jobs/[^/]+", "Read the commit job's status"),
    ("POST", r"staff/[^/]+/positions", "Add a position"),
    ("PUT", r"staff/[^/]+/positions", "Update a position"),
    ("POST", r"staff", "Create a staff member"),
    ("PUT", r"staff/[^/]+", "Update a staff member"),
    ("GET", r"staff(/[^/]+)?", "Search Campus staff"),
    ("GET", r"(schools|genders|titles|assignments|[a-zA-Z]+Codes?)", "Read Campus's lists"),
    ("JOB", r"imports/[^/]+/check", "The HR file's row check (a console job)"),
    ("JOB", r"imports/[^/]+/preflight", "The pre-flight (a console job)"),
    ("JOB", r"runs/[^/]+/start", "The sync's Start step (a console job)"),
    ("JOB", r"runs/[^/]+/transfer", "The sync's Transfer step (a console job)"),
    ("JOB", r"runs/[^/]+/end_transfer", "The sync's End transfer step (a console job)"),
    ("JOB", r"runs/[^/]+/validate", "The sync's Validate step (a console job)"),
    ("JOB", r"runs/[^/]+/commit", "The sync's Commit step (a console job)"),
    ("JOB", r".*", "A console job"),
)


def call_in_words(method: str, path: str) -> str:
    """A Campus call as the Error Log names it: ``POST sync/8f2…/transfer`` → "Send staff
    to Campus (transfer)"; a call it does not know keeps its method and path."""
    tail = (path or "").split("?")[0].strip("/")
    for verb, pattern, words in CALLS:
        if (not verb or verb == method) and re.search(rf"(^|/){pattern}$", tail):
            return words
    return f"{method} {path}".strip()


REPORT_LIST_LABELS = {
    "staffToAdd": "Staff to be added",
    "addressesToAdd": "Addresses to be added",
    "titlesToCreate": "Title codes to be created",
    "untouchedCampusStaff": "Campus staff not in the HR file (left alone)",
}
REPORT_LIST_UNITS = {  # (singular, plural)
    "staffToAdd": ("staff", "staff"),
    "addressesToAdd": ("address", "addresses"),
    "titlesToCreate": ("title code", "title codes"),
    "untouchedCampusStaff": ("staff", "staff"),
}


def api_name_in_words(name: str) -> str:
    """A name of Campus's API HR may meet: ``staffToAdd`` → "Staff to be added",
    an unknown ``fooBarList`` → "Foo bar list"."""
    if name in REPORT_LIST_LABELS:
        return REPORT_LIST_LABELS[name]
    if name in LABELS:
        return label_of(name)
    return re.sub(r"(?<=[a-z])([A-Z])", r" \1", name).replace("_", " ").lower().capitalize()


def report_list_figure(name: str, count: int) -> str:
    """The size of one of the validate report's lists, with its unit: "12 addresses"."""
    singular, plural = REPORT_LIST_UNITS.get(name, ("entry", "entries"))
    return count_of(count, singular, plural)


def staff_in_payload(text: str, limit: int = 50) -> list[dict]:
    """The staff objects of an Error Log request body (one staff object, a list of them or
    ``{"staff": [...]}``), at most ``limit``; none when the body is not JSON (cut short,
    or not a staff call). Each still holds what was sent: show it through
    :func:`staff_summary` or :func:`staff_summary_text`."""
    try:
        body = json.loads(text or "")
    except ValueError:
        return []
    if isinstance(body, dict):
        body = body.get("staff") if isinstance(body.get("staff"), list) else [body]
    if not isinstance(body, list):
        return []
    return [s for s in body if isinstance(s, dict) and s.get("staffNumber")][:limit]


def components_in_words(components: dict) -> list[tuple[str, str]]:
    """An address's components with their labels: ("House number", "8484"), …"""
    return [
        (label_of(key), "yes" if value is True else str(value))
        for key, value in components.items()
        if value not in (None, "", False)
    ]


# --- Campus's validate report entry of one staff member -------------------------------------

ENTRY_SKIP = {"staffNumber", "action", "personID", "conflicts"}


def _change(item: dict) -> str:
    label = label_of(str(item.get("field") or "a field"))
    old, new = item.get("old"), item.get("new")
    return f"{label}: {old or '(blank)'} → {new or '(blank)'}" if old else f"{label}: {new}"


def _employment_changes(part: dict) -> list[str]:
    lines = [f"Employment added: {employment_line(e)}" for e in part.get("added") or []]
    for e in part.get("updated") or []:
        lines.append(
            f"Employment hired {e.get('hireDate')}: termination date "
            f"{e.get('oldTerminationDate') or '(none)'} → {e.get('newTerminationDate') or '(none)'}"
        )
    return lines


def _position_changes(part: dict) -> list[str]:
    lines = [f"Position added: {position_line(p)}" for p in part.get("added") or []]
    for u in part.get("updated") or []:
        field = LABELS.get(str(u.get("field")), str(u.get("field")))
        old, new = u.get("old") or "(blank)", u.get("new") or "(blank)"
        lines.append(f"Position {u.get('positionID')}: {field} {old} → {new}")
    lines += [f"Position {p} removed (not in the HR file)" for p in part.get("removed") or []]
    lines += [
        f"Position {p} kept: linked to other Campus data" for p in part.get("keptLinked") or []
    ]
    return lines


def _entry_part(key: str, value) -> list[str]:
    if key == "demographics":
        return [_change(c) for c in value if isinstance(c, dict)]
    if key == "newIdentity":
        return ["The name change ends the current identity and starts a new one"]
    if key == "employment" and isinstance(value, dict):
        return _employment_changes(value)
    if key == "districtAssignments" and isinstance(value, dict):
        return _position_changes(value)
    if key == "titlesToCreate":
        return [f"Title code {t.get('code')} ({t.get('description')}) is created" for t in value]
    if key == "household" and isinstance(value, dict):
        return [f"Household: {value.get('reason') or value.get('action')}"]
    if key == "addressesToAdd":
        return [f"Address to be added: {address_line(a)}" for a in value if isinstance(a, dict)]
    if key == "errors":
        errors = [e if isinstance(e, dict) else {"message": e} for e in value]
        return [f"Error: {error_in_words(e)}" for e in errors]
    if key == "notes":
        return [f"Note: {n}" for n in value]
    return [f"{api_name_in_words(key)}: {len(value) if isinstance(value, list | dict) else value}"]


def report_entry_lines(entry: dict) -> list[str]:
    """One staff member's entry of Campus's validate report as sentences HR reads:
    "Last name: Smith → Smyth", "Position added: School 0042, …", "Household: …"."""
    lines: list[str] = []
    for key, value in entry.items():
        if key in ENTRY_SKIP or value in (None, "", False, [], {}):
            continue
        lines += _entry_part(key, value)
    return lines


ACTION_WORDS = {  # what validate says Campus will do with a staff member
    "add": "to be added",
    "update": "to be updated",
    "unchanged": "no change",
    "error": "conflict or error",
}


CAMPUS_LISTS = {  # Campus's lists the console fetches: (one, several)
    "schools": ("school", "schools"),
    "genders": ("gender", "genders"),
    "assignmentCodes": ("assignment code", "assignment codes"),
    "titleCodes": ("title code", "title codes"),
}


def campus_list_count(kind: str, n: int) -> str:
    """``("assignmentCodes", 12)`` → "12 assignment codes"."""
    one, several = CAMPUS_LISTS.get(kind, (api_name_in_words(kind).lower(), ""))
    return count_of(n, one, several or None)
