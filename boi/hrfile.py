"""HR export files: the template, streaming readers and the row → BOI payload check.

Pure Python (no Django): the console's services feed it byte chunks and store what it
returns. Memory stays bounded whatever the file size: CSV is read through a streaming
text decoder and ``csv.reader``; JSON (an array of objects, or one object per line) is
decoded one object at a time with ``json.JSONDecoder.raw_decode`` over a sliding buffer.

A row becomes the BOI staff object (``staffNumber``, ``employments``, ``positions``,
``household.householdLocations[0].address`` …) with the district's mapping tables
applied, and every problem is reported as ``RowProblem(column, field, code, message)``:
the column as the *file* names it, so the operator can find the cell.

    >>> problems = build_row({"staff_number": "A1"}, Resolver.empty()).problems
    >>> [(p.column, p.code) for p in problems][:2]
    [('last_name', 'required'), ('first_name', 'required')]
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from boi.rules.addresses import normalize_address, street_spelling
from boi.rules.staff import Mappings, validate_staff
from idbridge.streams import WHITESPACE, JsonReader, JsonStreamError, decoded

# --- the template -----------------------------------------------------------------------

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
    ("address_po_box", "postOfficeBox", "true for a PO box (then only its number)"),
    ("address_number", "number", "House number, or the PO box number"),
    ("address_prefix", "prefix", "Pre-directional (N, South …)"),
    ("address_street", "street", "Street name"),
    ("address_tag", "tag", "Street suffix (Ave, St …)"),
    ("address_direction", "direction", "Post-directional (NE, SW …)"),
    ("address_apt", "apt", "Apartment / unit"),
    ("address_city", "city", "City"),
    ("address_state", "state", "State (code or name)"),
    ("address_zip", "zip", "ZIP or ZIP+4"),
    ("address_county", "county", "County"),
)
ADDRESS_FIELD_OF = {column: name for column, name, _ in ADDRESS_COLUMNS}
STREET_COLUMNS = tuple(c for c, _, _ in ADDRESS_COLUMNS if c not in ("address_city",))

_REPEATED = re.compile(
    r"^(hire_date|termination_date|location|job_code|title_description|position_start_date|"
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


def _numbered(name: str, n: int) -> str:
    return name if n == 1 else f"{name}_{n}"


def template_columns() -> list[tuple[str, bool, str]]:
    """Every template column as (name, required, meaning), in file order."""
    columns = list(BASE_COLUMNS)
    for n in range(1, REPEATED_MAX + 1):
        for name, meaning in EMPLOYMENT_COLUMNS:
            columns.append((_numbered(name, n), False, f"{meaning} — employment {n}"))
    for n in range(1, REPEATED_MAX + 1):
        for name, meaning in POSITION_COLUMNS:
            columns.append((_numbered(name, n), False, f"{meaning} — position {n}"))
    columns += [(name, False, meaning) for name, _, meaning in ADDRESS_COLUMNS]
    return columns


TEMPLATE_NAMES = frozenset(name for name, _, _ in template_columns())
REQUIRED_NAMES = tuple(name for name, required, _ in BASE_COLUMNS if required)

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
        name = canonical if canonical in TEMPLATE_NAMES else ALIASES.get(canonical, "")
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping


# --- reading ------------------------------------------------------------------------------


class FileProblem(Exception):
    """The file as a whole cannot be read (not the format said, no header, …)."""


class EncodingSniffer:
    """Fed the file's bytes as they arrive: UTF-8 (with or without BOM) or Windows-1252."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._first = b""
        self.is_utf8 = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if len(self._first) < 3:
            self._first += chunk[: 3 - len(self._first)]
        if self.is_utf8:
            try:
                self._decoder.decode(chunk, final)
            except UnicodeDecodeError:
                self.is_utf8 = False

    @property
    def encoding(self) -> str:
        if self._first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        return "utf-8" if self.is_utf8 else "cp1252"


def iter_text(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): replace, not fail.
    return decoded(chunks, encoding, errors="replace")


def _iter_lines(texts: Iterable[str]) -> Iterator[str]:
    pending = ""
    for text in texts:
        pending += text
        lines = pending.splitlines(keepends=True)
        pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        yield from lines
    if pending:
        yield pending


def sniff_format(file_name: str, head: bytes) -> str:
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if file_name.lower().endswith((".json", ".jsonl", ".ndjson")) or stripped[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _csv_dialect(sample: str):
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def iter_csv(texts: Iterable[str]) -> Iterator[tuple[int, dict[str, str]] | list[str]]:
    """Yields the header list first, then (line number, {header: value}) per row.

    Blank lines are skipped. A row with more cells than the header gets them under
    ``__extra__`` (reported as a problem by the caller).
    """
    lines = _iter_lines(texts)
    first = next(lines, None)
    if first is None:
        raise FileProblem("The file is empty.")
    dialect = _csv_dialect(first)

    def all_lines():
        yield first
        yield from lines

    reader = csv.reader(all_lines(), dialect)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblem(f"The header line cannot be read: {exc}") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header):
        raise FileProblem("The first line (the header) is blank.")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise FileProblem(f"The header names a column twice: {', '.join(duplicates)}.")
    yield header
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            record = dict(zip(header, cells, strict=False))
            if len(cells) > len(header):
                record["__extra__"] = str(len(cells) - len(header))
            yield reader.line_num, record
    except csv.Error as exc:
        raise FileProblem(f"Line {reader.line_num}: {exc}") from None


_STAFF_WRAPPER = re.compile(r'\{\s*"staff"\s*:\s*\[')
MAX_RECORD_CHARS = 1_000_000


def iter_json(texts: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(record number, object) for a JSON array of objects, ``{"staff": [...]}`` or NDJSON."""
    reader = JsonReader(texts, max_value_chars=MAX_RECORD_CHARS)
    is_array = _json_opening(reader)
    count = 0
    while True:
        char = reader.peek(WHITESPACE + "," if is_array else WHITESPACE)
        if not char and is_array:
            raise FileProblem(f"The JSON array ends early, after record {count}.")
        if not char or (is_array and char == "]"):
            return
        try:
            value = reader.value()
        except JsonStreamError as exc:
            raise FileProblem(f"Record {count + 1}: not valid JSON ({exc}).") from None
        count += 1
        if not isinstance(value, dict):
            raise FileProblem(f"Record {count}: a staff record must be a JSON object.")
        yield count, value


def _json_opening(reader: JsonReader) -> bool:
    """Reads up to the first record: True for an array of them, False for NDJSON."""
    first = reader.peek("\ufeff" + WHITESPACE)
    if not first:
        raise FileProblem("The file is empty.")
    wrapper = _STAFF_WRAPPER.match(reader.lookahead(64))
    if first == "[":
        reader.advance()
        return True
    if wrapper:
        reader.advance(wrapper.end())
        return True
    if first == "{":
        return False  # one object per line (NDJSON)
    raise FileProblem("A JSON export must be an array of staff objects.")


def flatten_json_record(record: Mapping[str, object]) -> dict[str, str]:
    """Nested ``employments`` / ``positions`` lists become numbered columns; scalars text."""
    flat: dict[str, str] = {}
    for key, value in record.items():
        if key == "employments" and isinstance(value, list):
            for n, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    for name in ("hire_date", "termination_date"):
                        flat[_numbered(name, n)] = _scalar(item.get(name))
        elif key == "positions" and isinstance(value, list):
            for n, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    for name, source in (
                        ("location", "location"),
                        ("job_code", "job_code"),
                        ("title_description", "title_description"),
                        ("position_start_date", "start_date"),
                        ("position_end_date", "end_date"),
                    ):
                        flat[_numbered(name, n)] = _scalar(item.get(source, item.get(name)))
        elif isinstance(value, dict | list):
            flat[key] = json.dumps(value)  # reported as a problem if the column is used
        else:
            flat[key] = _scalar(value)
    return flat


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- one row ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowProblem:
    column: str  # as the file names it
    field: str  # BOI payload path, or "" for file-level cell problems
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class JobMapping:
    assignment_code: str = ""
    title_code: str = ""
    title_description: str = ""


@dataclass
class Resolver:
    """The district's mapping tables and Campus lists; resolves HR values to Campus ones.

    An HR value that is already a Campus value (HR uses Campus's school numbers, say) needs
    no mapping row.
    """

    locations: Mapping[str, str]
    sexes: Mapping[str, str]
    jobs: Mapping[str, JobMapping]
    mappings: Mappings
    unmapped: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Resolver:
        return cls({}, {}, {}, Mappings(set(), set(), set(), set()))

    def _miss(self, kind: str, value: str) -> None:
        self.unmapped.setdefault(kind, set())
        if len(self.unmapped[kind]) < 1000:
            self.unmapped[kind].add(value)

    def school(self, value: str) -> str | None:
        if value in self.locations:
            return self.locations[value]
        if value in self.mappings.school_numbers:
            return value
        self._miss("location", value)
        return None

    def gender(self, value: str) -> str | None:
        if value in self.sexes:
            return self.sexes[value]
        if value in self.mappings.genders:
            return value
        self._miss("sex", value)
        return None

    def job(self, value: str) -> JobMapping | None:
        if value in self.jobs:
            return self.jobs[value]
        if value in self.mappings.assignment_codes:
            return JobMapping(assignment_code=value)
        if value in self.mappings.title_codes:
            return JobMapping(title_code=value)
        self._miss("job", value)
        return None


@dataclass
class BuiltRow:
    payload: dict
    ssn: str
    problems: list[RowProblem]
    address_key: str = ""
    address_components: dict | None = None
    address_spelling: str = ""
    address_errors: tuple = ()  # the address rules' RuleErrors, checked once (see _address)

    @property
    def staff_number(self) -> str:
        return str(self.payload.get("staffNumber", ""))


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> str | None:
    """``2024-08-19`` or ``8/19/2024`` → ``2024-08-19``; None if not a real date."""
    text = text.strip()
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


def build_row(record: Mapping[str, str], resolver: Resolver, *, household_allowed=True) -> BuiltRow:
    """One HR record (template column → text) → the BOI staff payload and every problem.

    ``record`` uses template names; ``record["__columns__"]`` (optional) maps each template
    name back to the file's column for messages.
    """
    columns: Mapping[str, str] = record.get("__columns__", {})  # type: ignore[assignment]
    # Every cell stripped once (a row is read ~80 times below).
    values = {k: v.strip() for k, v in record.items() if isinstance(v, str)}

    def col(name: str) -> str:
        return columns.get(name, name)

    def val(name: str) -> str:
        return values.get(name, "")

    problems: list[RowProblem] = []
    origins: dict[str, str] = {}  # payload path → template column
    payload: dict = {}
    if record.get("__extra__"):
        problems.append(
            RowProblem("", "", "invalid", f"{record['__extra__']} more cell(s) than the header")
        )
    for name in REQUIRED_NAMES:
        if not val(name):
            problems.append(RowProblem(col(name), "", "required", f"{col(name)} is required"))
    for column, name in PAYLOAD_SCALARS.items():
        if val(column):
            payload[name] = val(column)
            origins[name] = column
    ssn = val("ssn")
    origins["ssn"] = "ssn"
    if val("birth_date"):
        iso = parse_date(val("birth_date"))
        if iso is None:
            problems.append(_bad_date(col("birth_date"), "birthDate", val("birth_date")))
            payload.pop("birthDate", None)
        else:
            payload["birthDate"] = iso
    if val("sex"):
        gender = resolver.gender(val("sex"))
        origins["gender"] = "sex"
        if gender is None:
            problems.append(
                RowProblem(
                    col("sex"),
                    "gender",
                    "unmapped",
                    f"sex code '{val('sex')}' is not mapped to a Campus gender",
                )
            )
        else:
            payload["gender"] = gender
    employments = _employments(values, val, col, problems, origins)
    if employments:
        payload["employments"] = employments
    positions = _positions(values, val, col, problems, origins, resolver)
    if positions:
        payload["positions"] = positions
    built = BuiltRow(payload, ssn, problems)
    if household_allowed:
        _address(record, val, col, built, origins)
    # The household was checked by _address with the same rules and paths: validating it
    # again here would parse every address twice.
    rest = {k: v for k, v in payload.items() if k != "household"}
    check = validate_staff({**rest, **({"ssn": ssn} if ssn else {})}, resolver.mappings)
    flagged = {p.field for p in problems if p.field}
    flagged |= {
        p.field.replace("assignmentCode", "titleCode") for p in problems if p.code == "unmapped"
    }
    for error in (*check.errors, *built.address_errors):
        if error.field in flagged:
            continue  # already reported with the HR value (unmapped, bad date, …)
        if error.code == "required" and error.field in ("lastName", "firstName", "staffNumber"):
            continue  # reported by the required-column check
        if error.field == "gender" and "gender" not in payload and val("sex"):
            continue
        column = col(_column_of(error.field, origins))
        problems.append(RowProblem(column, error.field, error.code, error.message))
    return built


def _bad_date(column: str, path: str, value: str) -> RowProblem:
    return RowProblem(
        column, path, "invalid", f"'{value}' is not a date (write YYYY-MM-DD or MM/DD/YYYY)"
    )


def _column_of(path: str, origins: Mapping[str, str]) -> str:
    """The template column behind a payload path (longest known prefix)."""
    probe = path
    while probe:
        if probe in origins:
            return origins[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return path


@functools.lru_cache(maxsize=4096)
def _repeated(column: str) -> tuple[str, int] | None:
    """``"location_2"`` → ``("location", 2)``; None for a column that is not numbered."""
    match = _REPEATED.match(column)
    return (match.group(1), int(match.group(2) or 1)) if match else None


def _indexes(values: Mapping[str, str], names: tuple[str, ...]) -> list[int]:
    """The numbers (1, 2, …) of the employments / positions the row fills in."""
    found: set[int] = set()
    for key, value in values.items():
        if value:
            info = _repeated(key)
            if info is not None and info[0] in names:
                found.add(info[1])
    return sorted(found)


def _employments(values, val, col, problems, origins) -> list[dict]:
    out: list[dict] = []
    for n in _indexes(values, ("hire_date", "termination_date")):
        item: dict[str, str] = {}
        path = f"employments[{len(out)}]"
        for column, name in (("hire_date", "hireDate"), ("termination_date", "terminationDate")):
            column = _numbered(column, n)
            origins[f"{path}.{name}"] = column
            if not val(column):
                continue
            iso = parse_date(val(column))
            if iso is None:
                problems.append(_bad_date(col(column), f"{path}.{name}", val(column)))
                item[name] = "0000-00-00"  # keeps the employment; the problem is reported
            else:
                item[name] = iso
        out.append(item)
    return out


def _positions(values, val, col, problems, origins, resolver: Resolver) -> list[dict]:
    out: list[dict] = []
    names = (
        "location",
        "job_code",
        "title_description",
        "position_start_date",
        "position_end_date",
    )
    for n in _indexes(values, names):
        path = f"positions[{len(out)}]"
        item: dict[str, str] = {}
        location, job = _numbered("location", n), _numbered("job_code", n)
        origins[f"{path}.schoolNumber"] = location
        for name in ("assignmentCode", "titleCode", "titleDescription"):
            origins[f"{path}.{name}"] = job
        origins[f"{path}.startDate"] = _numbered("position_start_date", n)
        origins[f"{path}.endDate"] = _numbered("position_end_date", n)
        if val(location):
            school = resolver.school(val(location))
            if school is None:
                problems.append(
                    RowProblem(
                        col(location),
                        f"{path}.schoolNumber",
                        "unmapped",
                        f"location '{val(location)}' is not mapped to a Campus school",
                    )
                )
                item["schoolNumber"] = val(location)
            else:
                item["schoolNumber"] = school
        if val(job):
            mapped = resolver.job(val(job))
            if mapped is None:
                problems.append(
                    RowProblem(
                        col(job),
                        f"{path}.assignmentCode",
                        "unmapped",
                        f"job code '{val(job)}' is not mapped to an assignment or title code",
                    )
                )
            else:
                if mapped.assignment_code:
                    item["assignmentCode"] = mapped.assignment_code
                if mapped.title_code:
                    item["titleCode"] = mapped.title_code
                if mapped.title_description:
                    item["titleDescription"] = mapped.title_description
        description = _numbered("title_description", n)
        if val(description):
            item["titleDescription"] = val(description)
            origins[f"{path}.titleDescription"] = description
        for column, name in (
            ("position_start_date", "startDate"),
            ("position_end_date", "endDate"),
        ):
            column = _numbered(column, n)
            if not val(column):
                continue
            iso = parse_date(val(column))
            if iso is None:
                problems.append(_bad_date(col(column), f"{path}.{name}", val(column)))
            else:
                item[name] = iso
        out.append(item)
    return out


def _address(record, val, col, built: BuiltRow, origins) -> None:
    sent = {name: val(column) for column, name in ADDRESS_FIELD_OF.items() if val(column)}
    if not sent:
        return
    if "postOfficeBox" in sent:
        flag = sent["postOfficeBox"].lower()
        if flag in ("false", "no", "n", "0"):
            del sent["postOfficeBox"]
        elif flag in ("true", "yes", "y", "1", "x"):
            sent["postOfficeBox"] = "true"
        else:
            built.problems.append(
                RowProblem(
                    col("address_po_box"),
                    "household.householdLocations[0].address.postOfficeBox",
                    "invalid",
                    f"'{sent['postOfficeBox']}' is not true or false",
                )
            )
            del sent["postOfficeBox"]
    base = "household.householdLocations[0].address"
    for column, name in ADDRESS_FIELD_OF.items():
        origins[f"{base}.{name}"] = column
    address = {k: (True if k == "postOfficeBox" else v) for k, v in sent.items()}
    built.payload["household"] = {"householdLocations": [{"address": address}]}
    normalized, errors = _normalize(tuple(address.items()), base)
    built.address_errors = errors  # what validate_staff's household check would say
    if normalized is not None:
        built.address_key = normalized.key
        built.address_components = normalized.components()
        built.address_spelling = street_spelling(address)


@functools.lru_cache(maxsize=8192)
def _normalize(items: tuple, path: str):
    """``normalize_address``, remembered: a file repeats the same spellings (households,
    colleagues at one address) and parsing is the costly part of a row. Both the Address
    and the RuleErrors it returns are immutable."""
    normalized, errors = normalize_address(dict(items), path=path)
    return normalized, tuple(errors)


def resolver_unmapped(resolver: Resolver) -> dict[str, list[str]]:
    return {kind: sorted(values) for kind, values in resolver.unmapped.items() if values}


def mask_ssns(value: object) -> object:
    """A copy of a JSON value with every ``ssn`` masked (error log payloads, exports)."""
    from boi.rules.staff import mask_ssn

    if isinstance(value, Mapping):
        return {
            k: (mask_ssn(v) if k == "ssn" and isinstance(v, str) else mask_ssns(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_ssns(v) for v in value]
    return value
