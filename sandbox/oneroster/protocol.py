"""OneRoster 1.2 REST binding details that need no Django: errors, paging, sort, fields.

Errors are ``imsx_StatusInfo`` objects, e.g. for a bad filter::

    {"imsx_codeMajor": "failure", "imsx_severity": "error",
     "imsx_description": "'shoeSize' is not a field that can be filtered on.",
     "imsx_CodeMinor": {"imsx_codeMinorField": [
        {"imsx_codeMinorFieldName": "TargetEndSystem",
         "imsx_codeMinorFieldValue": "invalid_filter_field"}]}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from idbridge.ids import MAX_ID

DEFAULT_LIMIT = 100


class OneRosterError(Exception):
    """An error answered as imsx_StatusInfo with ``status`` as the HTTP status."""

    def __init__(self, status: int, code_minor: str, description: str, headers=None):
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description
        self.headers = dict(headers or {})

    def status_info(self) -> dict:
        return status_info(self.code_minor, self.description)


def status_info(code_minor: str, description: str, code_major: str = "failure") -> dict:
    return {
        "imsx_codeMajor": code_major,
        "imsx_severity": "error" if code_major == "failure" else "status",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


# --- Dates ------------------------------------------------------------------------------


def format_datetime(value: datetime | None) -> str | None:
    """``2026-01-01T08:30:00.000Z`` (UTC, milliseconds), as OneRoster writes dateTimes."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date or date-time; no offset means UTC. Raises ValueError."""
    text = text.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    value = datetime.fromisoformat(text.replace("z", "Z"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)  # compared with UTC columns: 9999-12-31T23:59-14:00 overflows
    except OverflowError:
        raise ValueError(f"{text!r} is outside the calendar.") from None


# --- Paging -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def parse_paging(params: Mapping[str, str], max_limit: int) -> Page:
    limit = _non_negative_int(params, "limit", DEFAULT_LIMIT)
    offset = _non_negative_int(params, "offset", 0)
    if limit < 1:
        raise OneRosterError(400, "invaliddata", "limit must be at least 1.")
    if limit > max_limit:
        raise OneRosterError(400, "invaliddata", f"limit must be at most {max_limit}.")
    return Page(limit=limit, offset=offset)


def _non_negative_int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OneRosterError(400, "invaliddata", f"{name} must be a whole number.")
    if value < 0:
        raise OneRosterError(400, "invaliddata", f"{name} must not be negative.")
    if value > MAX_ID:
        raise OneRosterError(400, "invaliddata", f"{name} is too large.")
    return value


def link_header(base_url: str, params: Mapping[str, str], page: Page, total: int) -> str:
    """RFC 8288 ``Link`` header with first/prev/next/last, keeping the other parameters."""
    kept = {k: v for k, v in params.items() if k not in ("limit", "offset")}
    last_offset = ((total - 1) // page.limit) * page.limit if total > 0 else 0

    def url(offset: int) -> str:
        query = urlencode({**kept, "limit": page.limit, "offset": offset})
        return f"{base_url}?{query}"

    links = [(url(0), "first")]
    if page.offset > 0:
        links.append((url(max(0, min(page.offset - page.limit, last_offset))), "prev"))
    if page.offset + page.limit < total:
        links.append((url(page.offset + page.limit), "next"))
    links.append((url(last_offset), "last"))
    return ", ".join(f'<{u}>; rel="{rel}"' for u, rel in links)


# --- Sort and field selection -------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool = False


def parse_sort(params: Mapping[str, str], sortable: Sequence[str]) -> Sort | None:
    field = params.get("sort")
    order = (params.get("orderBy") or "asc").lower()
    if order not in ("asc", "desc"):
        raise OneRosterError(400, "invaliddata", "orderBy must be asc or desc.")
    if not field:
        return None
    if field not in sortable:
        raise OneRosterError(
            400, "invalid_sort_field", f"'{field}' is not a field that can be sorted on."
        )
    return Sort(field=field, descending=order == "desc")


def parse_fields(params: Mapping[str, str], known: Sequence[str]) -> list[str] | None:
    raw = params.get("fields")
    if raw is None or not raw.strip():
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise OneRosterError(
            400,
            "invalid_selection_field",
            f"Unknown field(s) in fields: {', '.join(unknown)}.",
        )
    return fields


def select_fields(record: dict, fields: list[str] | None) -> dict:
    if fields is None:
        return record
    return {f: record[f] for f in fields if f in record}
