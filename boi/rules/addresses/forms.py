"""The two forms an address arrives in: their field names, and reading what was sent.

- components: ``postOfficeBox, number, prefix, street, tag, direction, apt, city, state,
  zip, county, locationCode, tract, block``;
- full: ``fullStreetAddress, city, state, zip, county``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from boi.rules.address_parser import (
    clean_line,
)
from boi.rules.pub28 import STATE_CODES, STATES

STREET_COMPONENTS = ("number", "prefix", "street", "tag", "direction", "apt")
PLACE_FIELDS = ("city", "state", "zip", "county")
AREA_FIELDS = ("locationCode", "tract", "block")  # seldom used, per the guide
COMPONENT_FIELDS = ("postOfficeBox", *STREET_COMPONENTS, *PLACE_FIELDS, *AREA_FIELDS)
FULL_FORM_FIELDS = ("fullStreetAddress", *PLACE_FIELDS)
ADDRESS_FIELDS = ("fullStreetAddress", *COMPONENT_FIELDS)
# Everything a PO box may carry: "you are only allowed to specify the number of the PO Box".
PO_BOX_FIELDS = frozenset({"postOfficeBox", "number", *PLACE_FIELDS})
REQUIRED_PLACE_FIELDS = ("city", "state", "zip")

STATE_NAMES = {code: name for name, code in reversed(STATES.items())}
ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
SPACES = re.compile(r"\s+")


def text(value: object) -> str:
    return SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def is_po_box(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def sent_fields(payload: Mapping[str, object]) -> set[str]:
    """Names of the fields that carry a value (blank strings and false flags do not)."""
    sent = {
        name
        for name, value in payload.items()
        if name in ADDRESS_FIELDS and isinstance(value, str) and value.strip()
    }
    if is_po_box(payload.get("postOfficeBox")):
        sent.add("postOfficeBox")
    return sent


@lru_cache(maxsize=1024)
def normalize_state(text: str) -> str:
    """``"mn"`` or ``"Minnesota"`` -> ``MN``; an unknown state -> ``""``."""
    cleaned = clean_line(text)
    if cleaned in STATE_CODES:
        return cleaned
    return STATES.get(cleaned, "")


def normalize_zip(text: str) -> str:
    """``"551231234"`` -> ``55123-1234``; anything not a ZIP is only trimmed."""
    match = ZIP.match(text.strip())
    if not match:
        return text.strip()
    return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)


def components_of(source: Mapping[str, object]) -> dict[str, object]:
    """The address components in ``source`` that carry a value, as they are (other fields
    and blank ones left out).

    >>> components_of({"addressID": 7, "number": "12", "apt": "", "postOfficeBox": False})
    {'number': '12'}
    """
    return {k: v for k, v in source.items() if k in COMPONENT_FIELDS and v not in (None, "", False)}


def street_spelling(address: Mapping[str, object]) -> str:
    """The street line as an address was written: one variant of it, to show the operator.

    The full form's line, or the street components in Campus's order (``STREET_COMPONENTS``:
    number, prefix, street, tag, direction, apt — the order they are put together in to be
    re-parsed), blank ones left out. Nothing is normalized: two spellings of one address
    stay two.

    >>> street_spelling({"number": "4321", "street": "Lexington", "tag": "Ave",
    ...                  "direction": "NE", "city": "Blaine"})
    '4321 Lexington Ave NE'
    """
    full = text(address.get("fullStreetAddress"))
    if full:
        return full
    parts = (text(address.get(name)) for name in STREET_COMPONENTS)
    return " ".join(part for part in parts if part)
