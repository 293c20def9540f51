"""A record's household address: its cells → the payload's address, normalized once.

The check is the one place an HR address is normalized (``boi.rules.addresses``): its
match key, components and street spelling are stored with the row, and pre-flight, the
transfer and the row page read them from there.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from boi.hrfile.cells import RowCells
from boi.hrfile.template import ADDRESS_FIELD_OF
from boi.rules.addresses import PLACE_FIELDS, normalize_address, street_spelling

_PLACE = frozenset(PLACE_FIELDS)

ADDRESS_PATH = "household.householdLocations[0].address"
_TRUE = ("true", "yes", "y", "1", "x")
_FALSE = ("false", "no", "n", "0")
# "Apt 2", "Unit 5", "Suite 100", "#3", "No. 4": a second address line's unit designator.
_UNIT = re.compile(r"^(?:apt\.?|apartment|unit|ste\.?|suite|no\.?|number|#)\s*#?\s*", re.I)
_BOX = re.compile(r"^(?:p\.?\s*o\.?\s*)?(?:box\s*)?#?\s*(\w*\d\w*)$", re.I)


@dataclass(frozen=True)
class HouseholdAddress:
    address: dict  # as the payload sends it
    errors: tuple  # the address rules' RuleErrors (what validate_staff would say)
    key: str = ""
    components: dict | None = None  # normalized; None when the address is not valid
    spelling: str = ""


def household_address(cells: RowCells) -> HouseholdAddress | None:
    """The record's address and its normalization; None when no address cell is filled."""
    sent = _address_cells(cells)
    if not sent:
        return None
    for column, name in ADDRESS_FIELD_OF.items():
        cells.origins.setdefault(f"{ADDRESS_PATH}.{name}", column)
    address = {k: (True if k == "postOfficeBox" else v) for k, v in sent.items()}
    normalized, errors = _normalize(tuple(address.items()), ADDRESS_PATH)
    if normalized is None:
        return HouseholdAddress(address, errors)
    return HouseholdAddress(
        address, errors, normalized.key, normalized.components(), street_spelling(address)
    )


def _address_cells(cells: RowCells) -> dict[str, str]:
    """BOI address field → the cell, for the filled-in cells; the PO box and the second
    address line read."""
    sent = {
        name: cells.val(column) for column, name in ADDRESS_FIELD_OF.items() if cells.val(column)
    }
    sent.pop("line2", None)
    sent.pop("boxNumber", None)
    _second_line(cells, sent)
    box = cells.val("address_po_box_number")
    flag = sent.pop("postOfficeBox", None)
    if box:
        _po_box(sent, box)
        for name in ("postOfficeBox", "number"):
            cells.origins[f"{ADDRESS_PATH}.{name}"] = "address_po_box_number"
    elif flag is not None:
        _po_box_flag(cells, sent, flag)
    return sent


def _po_box_flag(cells: RowCells, sent: dict, flag: str) -> None:
    """The PO box column's cell: yes (the house number column holds the box's number; the
    rules report any street part also given), no, or the box's number itself."""
    if flag.lower() in _TRUE:
        sent["postOfficeBox"] = "true"
    elif _BOX.match(flag) and flag.lower() not in _FALSE:
        _po_box(sent, flag)
    elif flag.lower() not in _FALSE:
        message = f"'{flag}' is neither a PO box number nor yes / no"
        cells.problem("address_po_box", f"{ADDRESS_PATH}.postOfficeBox", "invalid", message)


def _po_box(sent: dict, box: str) -> None:
    """A box number ("54", "PO Box 54") makes the address a PO box: only the box's number
    and the place are sent (the guide: "you are only allowed to specify the number of the
    PO Box")."""
    match = _BOX.match(box)
    for name in [name for name in sent if name not in _PLACE]:
        del sent[name]
    sent["postOfficeBox"] = "true"
    sent["number"] = match.group(1) if match else box


def _second_line(cells: RowCells, sent: dict) -> None:
    """Address line 2 (an apartment or unit) kept in Campus's apartment field: after the
    full street line ("8484 Washington St" + "Apt 2" → "8484 Washington St Apt 2", which
    Campus parses into number, street, tag and apt), or as ``apt`` beside the components."""
    line2 = cells.val("address_line2")
    if not line2:
        return
    unit = _UNIT.sub("", line2).strip()
    if "fullStreetAddress" in sent:
        designated = _UNIT.match(line2) is not None and unit
        sent["fullStreetAddress"] += " " + (line2 if designated else f"Apt {unit or line2}")
    elif "apt" not in sent:
        sent["apt"] = unit or line2
        cells.origins[f"{ADDRESS_PATH}.apt"] = "address_line2"


@functools.lru_cache(maxsize=8192)
def _normalize(items: tuple, path: str):
    """``normalize_address``, remembered: a file repeats the same spellings (households,
    colleagues at one address) and parsing is the costly part of a row. Both the Address
    and the RuleErrors it returns are immutable."""
    normalized, errors = normalize_address(dict(items), path=path)
    return normalized, tuple(errors)
