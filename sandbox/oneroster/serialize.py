"""OneRoster 1.2 user and demographics objects from plain person data. No Django.

Every person is a user: staff get a role per district assignment (the assignment code's
OneRoster role; a title-only position counts as ``aide``), students ``student`` at their
school, parents/guardians ``parent``/``guardian`` at the district. ``sourcedId`` is the
personID. A user is ``active`` (and ``enabledUser``) while one of their roles is current
(begun, not ended), otherwise ``tobedeleted``. ``dateLastModified`` is the person's
``date_modified``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sandbox.oneroster.protocol import format_date, format_datetime

PARENT_NAMES = ("Mother", "Father")
SEX = {"M": "male", "F": "female", "X": "other"}


@dataclass
class RoleData:
    role: str
    org: str | None  # a school's sourcedId; None = the district
    begin: date | None
    end: date | None

    def is_current(self, today: date) -> bool:
        return (self.begin is None or self.begin <= today) and (
            self.end is None or self.end >= today
        )


@dataclass
class UserData:
    person_id: int
    staff_number: str
    work_email: str
    personal_email: str
    work_phone: str
    cell_phone: str
    birth_date: date | None
    gender: str | None
    date_modified: datetime
    names: tuple[str, str, str] = ("", "", "")  # first, middle, last (current identity)
    roles: list[RoleData] = field(default_factory=list)
    student_number: str = ""
    grade: str = ""
    agents: list[int] = field(default_factory=list)  # guardians of a student, wards of a parent

    def is_active(self, today: date) -> bool:
        return any(r.is_current(today) for r in self.roles)


class Refs:
    """GUIDRef objects (href, sourcedId, type) under one base URL."""

    def __init__(self, base_url: str, district_sourced_id: str | None):
        self.base_url = base_url
        self.district_sourced_id = district_sourced_id

    def org(self, sourced_id: str | None) -> dict | None:
        sourced_id = sourced_id or self.district_sourced_id
        if sourced_id is None:
            return None
        return {
            "href": f"{self.base_url}/orgs/{sourced_id}",
            "sourcedId": sourced_id,
            "type": "org",
        }

    def user(self, person_id: int) -> dict:
        return {
            "href": f"{self.base_url}/users/{person_id}",
            "sourcedId": str(person_id),
            "type": "user",
        }


def roles_to_dicts(user: UserData, refs: Refs, today: date) -> list[dict]:
    unique: list[RoleData] = []
    for role in user.roles:
        if role not in unique:
            unique.append(role)
    current = [r.is_current(today) for r in unique]
    primary = current.index(True) if any(current) else 0
    return [
        {
            "roleType": "primary" if i == primary else "secondary",
            "role": r.role,
            "org": refs.org(r.org),
            "beginDate": format_date(r.begin),
            "endDate": format_date(r.end),
        }
        for i, r in enumerate(unique)
    ]


def user_to_dict(user: UserData, refs: Refs, today: date) -> dict:
    first, middle, last = user.names
    roles = roles_to_dicts(user, refs, today)
    active = user.is_active(today)
    user_ids = [{"type": "personID", "identifier": str(user.person_id)}]
    if user.staff_number:
        user_ids.append({"type": "staffNumber", "identifier": user.staff_number})
    if user.student_number:
        user_ids.append({"type": "studentNumber", "identifier": user.student_number})
    primary = next((r for r in roles if r["roleType"] == "primary"), None)
    email = user.work_email or user.personal_email
    return {
        "sourcedId": str(user.person_id),
        "status": "active" if active else "tobedeleted",
        "dateLastModified": format_datetime(user.date_modified),
        "userMasterIdentifier": str(user.person_id),
        "username": email,
        "userIds": user_ids,
        "enabledUser": active,
        "givenName": first,
        "familyName": last,
        "middleName": middle,
        "roles": roles,
        "primaryOrg": primary["org"] if primary else None,
        "identifier": user.staff_number or user.student_number,
        "email": email,
        "sms": user.cell_phone,
        "phone": user.work_phone or user.cell_phone,
        "agents": [refs.user(pk) for pk in user.agents],
        "grades": [user.grade] if user.grade else [],
    }


def demographics_to_dict(user: UserData, today: date) -> dict:
    return {
        "sourcedId": str(user.person_id),
        "status": "active" if user.is_active(today) else "tobedeleted",
        "dateLastModified": format_datetime(user.date_modified),
        "birthDate": format_date(user.birth_date),
        "sex": SEX.get(user.gender or "", "unspecified"),
    }
