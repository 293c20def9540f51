"""A normalized address in Campus component terms, and its match key."""

from __future__ import annotations

from dataclasses import dataclass

from boi.rules.address_parser import (
    RURAL_STREET,
)
from boi.rules.pub28 import UNIT_DESIGNATORS


@dataclass(frozen=True, slots=True)
class Address:
    """A normalized address in Campus component terms (upper case, Pub 28 abbreviations)."""

    number: str = ""
    prefix: str = ""
    street: str = ""
    tag: str = ""
    direction: str = ""
    apt: str = ""
    post_office_box: bool = False
    city: str = ""
    state: str = ""
    zip: str = ""
    county: str = ""
    location_code: str = ""
    tract: str = ""
    block: str = ""

    @property
    def key(self) -> str:
        """The match key: ``number|predir|name|suffix|postdir|unit|state|zip5`` or ``PO|box|zip5``.

        The unit's designator is already gone (APT, UNIT and # are used interchangeably) and
        the city is left out (vanity city names vary for one ZIP).

        >>> Address(number="4321", prefix="N", street="LEXINGTON", tag="AVE", state="MN",
        ...         zip="55123-0001").key
        '4321|N|LEXINGTON|AVE|||MN|55123'
        """
        zip5 = self.zip[:5]
        if self.post_office_box:
            return f"PO|{self.number}|{zip5}"
        unit = self.apt.replace(" ", "").replace("-", "")
        return "|".join(
            (self.number, self.prefix, self.street, self.tag, self.direction, unit)
            + (self.state, zip5)
        )

    @property
    def is_rural_route(self) -> bool:
        return bool(RURAL_STREET.match(self.street)) and not self.tag

    def street_line(self) -> str:
        """The Pub 28 delivery line: ``4321 S LEXINGTON AVE SE # 45``, ``PO BOX 54``."""
        if self.post_office_box:
            return f"PO BOX {self.number}"
        if self.is_rural_route:
            return f"{self.street} BOX {self.number}"
        parts = [self.number, self.prefix, self.street, self.tag, self.direction]
        line = " ".join(part for part in parts if part)
        if self.apt:
            first = self.apt.split()[0]
            line += f" {self.apt}" if first in UNIT_DESIGNATORS else f" # {self.apt}"
        return line

    def components(self) -> dict[str, str | bool]:
        """The address in BOI API component names, empty parts left out."""
        values: dict[str, str | bool] = {
            "number": self.number,
            "prefix": self.prefix,
            "street": self.street,
            "tag": self.tag,
            "direction": self.direction,
            "apt": self.apt,
            "city": self.city,
            "state": self.state,
            "zip": self.zip,
            "county": self.county,
            "locationCode": self.location_code,
            "tract": self.tract,
            "block": self.block,
        }
        components: dict[str, str | bool] = {k: v for k, v in values.items() if v}
        if self.post_office_box:
            components = {"postOfficeBox": True, **components}
        return components
