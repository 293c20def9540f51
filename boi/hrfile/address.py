"""A record's household address: its cells → the payload's address, normalized once.

The check is the one place an HR address is normalized (``boi.rules.addresses``): its
match key, components and street spelling are stored with the row, and pre-flight, the
transfer and the row page read them from there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from boi.hrfile.cells import RowCells
from boi.hrfile.template import ADDRESS_FIELD_OF
from boi.rules.addresses import normalize_address, street_spelling

ADDRESS_PATH = "household.householdLocations[0].address"
_TRUE = ("true", "yes", "y", "1", "x")
_FALSE = ("false", "no", "n", "0")


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
        cells.origins[f"{ADDRESS_PATH}.{name}"] = column
    address = {k: (True if k == "postOfficeBox" else v) for k, v in sent.items()}
    normalized, errors = _normalize(tuple(address.items()), ADDRESS_PATH)
    if normalized is None:
        return HouseholdAddress(address, errors)
    return HouseholdAddress(
        address, errors, normalized.key, normalized.components(), street_spelling(address)
    )


def _address_cells(cells: RowCells) -> dict[str, str]:
    """BOI address field → the cell, for the filled-in cells; the PO box flag read."""
    sent = {
        name: cells.val(column) for column, name in ADDRESS_FIELD_OF.items() if cells.val(column)
    }
    flag = sent.get("postOfficeBox")
    if flag is None:
        return sent
    if flag.lower() in _TRUE:
        sent["postOfficeBox"] = "true"
        return sent
    del sent["postOfficeBox"]
    if flag.lower() not in _FALSE:
        message = f"'{flag}' is not true or false"
        cells.problem("address_po_box", f"{ADDRESS_PATH}.postOfficeBox", "invalid", message)
    return sent


@functools.lru_cache(maxsize=8192)
def _normalize(items: tuple, path: str):
    """``normalize_address``, remembered: a file repeats the same spellings (households,
    colleagues at one address) and parsing is the costly part of a row. Both the Address
    and the RuleErrors it returns are immutable."""
    normalized, errors = normalize_address(dict(items), path=path)
    return normalized, tuple(errors)
