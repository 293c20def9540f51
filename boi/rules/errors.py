"""The BOI API's error shape: every problem with a payload, named at once.

The API answers a bad request with ``{"errors": [{"field", "code", "message"}, ...]}``
listing every problem, so validators collect ``RuleError`` values into a list and never
stop (or raise) at the first one.

Codes used by the rules package:

    required        a required value is missing or blank
    invalid         a value has the wrong type or shape (date, SSN, ZIP, email ...)
    unknown_field   a field the API does not define (often a typo: "schooNumber")
    not_found       a value is not in the district's Campus list (gender, school, ...)
    conflict        two fields that exclude each other were both sent
    unparseable     a street address the parser cannot break into components
    duplicate       a staff number used more than once where it must be unique
    not_allowed     a step that the current state does not allow
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleError:
    """One problem with one field. ``field`` is a path such as ``positions[0].startDate``."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def errors_body(errors: Iterable[RuleError]) -> dict[str, list[dict[str, str]]]:
    """The JSON body the BOI API returns for a refused request."""
    return {"errors": [error.as_dict() for error in errors]}


def join_path(prefix: str, name: str) -> str:
    """Field path of a child: ``join_path("household", "householdLocations[0]")``."""
    if not prefix:
        return name
    if not name:
        return prefix
    if name.startswith("["):
        return prefix + name
    return f"{prefix}.{name}"
