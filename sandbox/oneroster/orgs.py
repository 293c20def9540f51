"""OneRoster orgs: the district and its schools (a small set, filtered in memory)."""

from __future__ import annotations

from sandbox.models import District, School
from sandbox.oneroster.filters import FilterError
from sandbox.oneroster.protocol import format_datetime, parse_datetime
from sandbox.oneroster.serialize import Refs

ORG_FIELDS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "name",
    "type",
    "identifier",
    "parent",
    "children",
)
ORG_FILTER_FIELDS = ("sourcedId", "status", "dateLastModified", "name", "type", "identifier")
ORG_SORT_FIELDS = ORG_FILTER_FIELDS


def org_records(refs: Refs, *, schools_only: bool = False) -> list[dict]:
    """Org dicts; the private ``_modified`` key holds the datetime to compare with."""
    district = District.objects.first()
    schools = list(School.objects.order_by("number"))
    records = []
    if district is not None and not schools_only:
        records.append(
            {
                "sourcedId": district.sourced_id,
                "status": "active",
                "dateLastModified": format_datetime(district.date_modified),
                "name": district.name,
                "type": "district",
                "identifier": "",
                "parent": None,
                "children": [refs.org(s.sourced_id) for s in schools],
                "_modified": district.date_modified,
            }
        )
    for school in schools:
        records.append(
            {
                "sourcedId": school.sourced_id,
                "status": "active",
                "dateLastModified": format_datetime(school.date_modified),
                "name": school.name,
                "type": "school",
                "identifier": school.number,
                "parent": refs.org(None),
                "children": [],
                "_modified": school.date_modified,
            }
        )
    return records


ORG_GETTERS = {
    "sourcedId": lambda r: r["sourcedId"],
    "status": lambda r: r["status"],
    "dateLastModified": lambda r: r["_modified"],
    "name": lambda r: r["name"],
    "type": lambda r: r["type"],
    "identifier": lambda r: r["identifier"],
}


def convert_org_value(field: str, value: str):
    if field == "dateLastModified":
        try:
            return parse_datetime(value)
        except ValueError:
            raise FilterError(f"'{value}' is not an ISO 8601 date-time.", field) from None
    return value


def public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}
