"""An address payload's structural problems (no parsing)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from boi.rules.addresses.forms import (
    ADDRESS_FIELDS,
    PLACE_FIELDS,
    PO_BOX_FIELDS,
    REQUIRED_PLACE_FIELDS,
    STREET_COMPONENTS,
    ZIP,
    normalize_state,
    sent_fields,
    text,
)
from boi.rules.errors import RuleError, join_path


def validate_address(payload: object, *, path: str = "address") -> list[RuleError]:
    """Every structural problem with one address payload (no parsing; see ``normalize_address``).

    >>> [e.code for e in validate_address({"fullStreetAddress": "1 Main St", "number": "1",
    ...     "city": "Blaine", "state": "MN", "zip": "55123"})]
    ['conflict']
    """
    if not isinstance(payload, Mapping):
        return [RuleError(path, "invalid", "the address must be an object")]
    sent = sent_fields(payload)
    errors = _field_errors(payload, path)
    if "fullStreetAddress" in sent:
        errors += _full_form_errors(sent, path)
    elif "postOfficeBox" in sent:
        errors += _po_box_errors(sent, path)
    else:
        errors += _components_errors(sent, path)
    errors.extend(_place_errors(payload, sent, path))
    return errors


def _field_errors(payload: Mapping[str, object], path: str) -> list[RuleError]:
    """Unknown fields, and values of the wrong type."""
    errors: list[RuleError] = []
    for name, value in payload.items():
        field = join_path(path, str(name))
        if name not in ADDRESS_FIELDS:
            errors.append(RuleError(field, "unknown_field", f"'{name}' is not an address field"))
        elif name == "postOfficeBox":
            ok = isinstance(value, bool) or value is None
            ok = ok or (isinstance(value, str) and value.strip().lower() in ("true", "false", ""))
            if not ok:
                errors.append(RuleError(field, "invalid", "postOfficeBox must be true or false"))
        elif value is not None and not isinstance(value, str):
            errors.append(RuleError(field, "invalid", f"{name} must be a string"))
    return errors


def _full_form_errors(sent: set[str], path: str) -> list[RuleError]:
    others = sorted(sent - {"fullStreetAddress", *PLACE_FIELDS}, key=ADDRESS_FIELDS.index)
    if not others:
        return []
    message = (
        "send fullStreetAddress or the street address components, not both "
        f"(also sent: {', '.join(others)})"
    )
    return [RuleError(join_path(path, "fullStreetAddress"), "conflict", message)]


def _po_box_errors(sent: set[str], path: str) -> list[RuleError]:
    errors = [
        RuleError(
            join_path(path, name),
            "conflict",
            f"a PO box takes only its number: {name} is not allowed with postOfficeBox",
        )
        for name in sorted(sent - PO_BOX_FIELDS, key=ADDRESS_FIELDS.index)
    ]
    if "number" not in sent:
        message = "the PO box number is required"
        errors.append(RuleError(join_path(path, "number"), "required", message))
    return errors


def _components_errors(sent: set[str], path: str) -> list[RuleError]:
    if not sent & set(STREET_COMPONENTS):
        message = "an address needs fullStreetAddress or its components (number, street, ...)"
        return [RuleError(join_path(path, "fullStreetAddress"), "required", message)]
    return [
        RuleError(join_path(path, name), "required", f"{name} is required")
        for name in ("number", "street")
        if name not in sent
    ]


def _place_errors(payload: Mapping[str, object], sent: set[str], path: str) -> list[RuleError]:
    errors = [
        RuleError(join_path(path, name), "required", f"{name} is required")
        for name in REQUIRED_PLACE_FIELDS
        # a value of the wrong type has its own error already
        if name not in sent and (payload.get(name) is None or isinstance(payload.get(name), str))
    ]
    if "state" in sent and not normalize_state(text(payload["state"])):
        errors.append(
            RuleError(
                join_path(path, "state"), "invalid", "state must be a USPS state code or name"
            )
        )
    if "zip" in sent and not ZIP.match(text(payload["zip"])):
        hint = ""
        if re.fullmatch(r"\d{4}", text(payload["zip"])):
            hint = " (a leading zero may have been lost)"
        message = f"zip must be 5 digits or ZIP+4 (12345 or 12345-6789){hint}"
        errors.append(RuleError(join_path(path, "zip"), "invalid", message))
    return errors
