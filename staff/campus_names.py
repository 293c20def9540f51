"""Campus's keys in words: schools as Campus names them, OneRoster roles as words.

A staff record keeps its schools by key (school numbers over SOAP, org sourcedIds over
OneRoster: ``StaffMember.schools``), each connection keeps Campus's name for each key
(``CampusConnection.school_names``, recorded by discovery), and every page shows the
name: the key only when Campus gave no name, saying so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from staff.models import CampusConnection


def school_label(key: str, names: Mapping[str, str]) -> str:
    """How a page names the school ``key``.

    >>> school_label("030", {"030": "Northside Elementary"})
    'Northside Elementary'
    >>> school_label("org-7f3a", {})
    'org-7f3a (Campus gives no name)'
    """
    return names.get(key) or f"{key} (Campus gives no name)"


def school_names() -> dict[str, str]:
    """Campus's name for each school key, over every connection (one query)."""
    names: dict[str, str] = {}
    for known in CampusConnection.objects.order_by("id").values_list("school_names", flat=True):
        names.update({key: name for key, name in (known or {}).items() if name})
    return names


def role_label(role: str) -> str:
    """A Campus (OneRoster) role as words.

    >>> role_label("districtAdministrator")
    'district administrator'
    >>> role_label("teacher")
    'teacher'
    """
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", role).lower()
