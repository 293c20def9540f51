"""BOI address rules: the two input forms, normalization, the match key and matching.

An address arrives in one of two forms (the BOI guide, "Addresses"):

- components: ``postOfficeBox, number, prefix, street, tag, direction, apt, city, state,
  zip, county, locationCode, tract, block``;
- full: ``fullStreetAddress, city, state, zip, county``.

Campus fights address proliferation, so an incoming address is matched against the
district's addresses in the guide's order (``match_address``):

1. exact components (the components as sent; for the full form, as parsed);
2. the street parts put together, re-parsed and normalized to USPS Pub 28, compared by
   match key (``Address.key``): "4321 North Lexington Avenue" and "4321 N Lexington Ave."
   give one key;
3. otherwise a new address is created from the parse.

There is no fuzzy step: two addresses whose house number or unit differ never share a key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .address_parser import (
    RURAL_STREET,
    StreetParts,
    Unparseable,
    clean_line,
    normalize_unit,
    parse_clean_line,
    route_name,
)
from .errors import RuleError, join_path
from .pub28 import DIRECTIONALS, STATE_CODES, STATES, STREET_SUFFIXES, UNIT_DESIGNATORS

STREET_COMPONENTS = ("number", "prefix", "street", "tag", "direction", "apt")
PLACE_FIELDS = ("city", "state", "zip", "county")
AREA_FIELDS = ("locationCode", "tract", "block")  # seldom used, per the guide
COMPONENT_FIELDS = ("postOfficeBox", *STREET_COMPONENTS, *PLACE_FIELDS, *AREA_FIELDS)
FULL_FORM_FIELDS = ("fullStreetAddress", *PLACE_FIELDS)
ADDRESS_FIELDS = ("fullStreetAddress", *COMPONENT_FIELDS)
# Everything a PO box may carry: "you are only allowed to specify the number of the PO Box".
PO_BOX_FIELDS = frozenset({"postOfficeBox", "number", *PLACE_FIELDS})
REQUIRED_PLACE_FIELDS = ("city", "state", "zip")

_STATE_NAMES = {code: name for name, code in reversed(STATES.items())}
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_SPACES = re.compile(r"\s+")


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
    full = _text(address.get("fullStreetAddress"))
    if full:
        return full
    parts = (_text(address.get(name)) for name in STREET_COMPONENTS)
    return " ".join(part for part in parts if part)


# --- validation -------------------------------------------------------------------------


def _text(value: object) -> str:
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def _is_po_box(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _sent(payload: Mapping[str, object]) -> set[str]:
    """Names of the fields that carry a value (blank strings and false flags do not)."""
    sent = {
        name
        for name, value in payload.items()
        if name in ADDRESS_FIELDS and isinstance(value, str) and value.strip()
    }
    if _is_po_box(payload.get("postOfficeBox")):
        sent.add("postOfficeBox")
    return sent


def validate_address(payload: object, *, path: str = "address") -> list[RuleError]:
    """Every structural problem with one address payload (no parsing; see ``normalize_address``).

    >>> [e.code for e in validate_address({"fullStreetAddress": "1 Main St", "number": "1",
    ...     "city": "Blaine", "state": "MN", "zip": "55123"})]
    ['conflict']
    """
    if not isinstance(payload, Mapping):
        return [RuleError(path, "invalid", "the address must be an object")]
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
    sent = _sent(payload)
    if "fullStreetAddress" in sent:
        others = sorted(sent - {"fullStreetAddress", *PLACE_FIELDS}, key=ADDRESS_FIELDS.index)
        if others:
            errors.append(
                RuleError(
                    join_path(path, "fullStreetAddress"),
                    "conflict",
                    "send fullStreetAddress or the street address components, not both "
                    f"(also sent: {', '.join(others)})",
                )
            )
    elif "postOfficeBox" in sent:
        for name in sorted(sent - PO_BOX_FIELDS, key=ADDRESS_FIELDS.index):
            errors.append(
                RuleError(
                    join_path(path, name),
                    "conflict",
                    f"a PO box takes only its number: {name} is not allowed with postOfficeBox",
                )
            )
        if "number" not in sent:
            errors.append(
                RuleError(join_path(path, "number"), "required", "the PO box number is required")
            )
    elif not sent & set(STREET_COMPONENTS):
        errors.append(
            RuleError(
                join_path(path, "fullStreetAddress"),
                "required",
                "an address needs fullStreetAddress or its components (number, street, ...)",
            )
        )
    else:
        for name in ("number", "street"):
            if name not in sent:
                errors.append(RuleError(join_path(path, name), "required", f"{name} is required"))
    errors.extend(_place_errors(payload, sent, path))
    return errors


def _place_errors(payload: Mapping[str, object], sent: set[str], path: str) -> list[RuleError]:
    errors = [
        RuleError(join_path(path, name), "required", f"{name} is required")
        for name in REQUIRED_PLACE_FIELDS
        # a value of the wrong type has its own error already
        if name not in sent and (payload.get(name) is None or isinstance(payload.get(name), str))
    ]
    if "state" in sent and not normalize_state(_text(payload["state"])):
        errors.append(
            RuleError(
                join_path(path, "state"), "invalid", "state must be a USPS state code or name"
            )
        )
    if "zip" in sent and not _ZIP.match(_text(payload["zip"])):
        hint = ""
        if re.fullmatch(r"\d{4}", _text(payload["zip"])):
            hint = " (a leading zero may have been lost)"
        message = f"zip must be 5 digits or ZIP+4 (12345 or 12345-6789){hint}"
        errors.append(RuleError(join_path(path, "zip"), "invalid", message))
    return errors


# --- normalization ----------------------------------------------------------------------


@lru_cache(maxsize=1024)
def normalize_state(text: str) -> str:
    """``"mn"`` or ``"Minnesota"`` -> ``MN``; an unknown state -> ``""``."""
    cleaned = clean_line(text)
    if cleaned in STATE_CODES:
        return cleaned
    return STATES.get(cleaned, "")


def normalize_zip(text: str) -> str:
    """``"551231234"`` -> ``55123-1234``; anything not a ZIP is only trimmed."""
    match = _ZIP.match(text.strip())
    if not match:
        return text.strip()
    return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)


def _place(payload: Mapping[str, object]) -> dict[str, str]:
    state = _text(payload.get("state"))
    return {
        "city": clean_line(_text(payload.get("city"))),
        "state": normalize_state(state) or clean_line(state),
        "zip": normalize_zip(_text(payload.get("zip"))),
        "county": clean_line(_text(payload.get("county"))),
        "location_code": _text(payload.get("locationCode")),
        "tract": _text(payload.get("tract")),
        "block": _text(payload.get("block")),
    }


def _strip_place(line: str, place: Mapping[str, str]) -> str:
    """Drop a trailing "BLAINE MN 55123" that repeats the address's own city, state, ZIP."""
    words = line.split()
    zip_text = place["zip"]
    if words and zip_text and words[-1] in (zip_text, zip_text[:5], zip_text.replace("-", "")):
        words.pop()
    state = place["state"]
    if words and state and words[-1] == state:
        words.pop()
    state_name = _STATE_NAMES.get(state, "").split()
    if state_name and len(words) > len(state_name) and words[-len(state_name) :] == state_name:
        words = words[: -len(state_name)]
    city = place["city"].split()
    if city and len(words) > len(city) and words[-len(city) :] == city:
        words = words[: -len(city)]
    return " ".join(words)


def _parse_line(text: str, place: Mapping[str, str]) -> StreetParts:
    """Parse a full street line; a copy of the city/state/ZIP at its end is ignored."""
    line = clean_line(text)
    stripped = _strip_place(line, place)
    if stripped != line:
        try:
            return parse_clean_line(stripped)
        except Unparseable:
            pass  # "100 STILLWATER" in Stillwater: the street was the city's name
    return parse_clean_line(line)


def _assemble(values: Mapping[str, str]) -> str:
    """Put street components back together as one line, for re-parsing (the guide's step 2)."""
    number, street = values.get("number", ""), values.get("street", "")
    route = RURAL_STREET.match(clean_line(street))
    if route and not any(values.get(name) for name in ("prefix", "tag", "direction", "apt")):
        return f"{route_name(route.group(1), route.group(2))} BOX {number}"
    line = " ".join(
        values.get(name, "") for name in ("number", "prefix", "street", "tag", "direction")
    )
    apt = clean_line(values.get("apt", ""))
    if apt:
        first = apt.split()[0]
        line += f" {apt}" if first in UNIT_DESIGNATORS or first == "#" else f" # {apt}"
    return line


def _components_as_sent(payload: Mapping[str, object]) -> StreetParts:
    """The components normalized one by one, without re-parsing."""
    words = {name: clean_line(_text(payload.get(name))) for name in STREET_COMPONENTS}
    tag = words["tag"]
    street = words["street"]
    route = RURAL_STREET.match(street)
    if route and not tag:
        street = route_name(route.group(1), route.group(2))
    return StreetParts(
        number=words["number"],
        prefix=DIRECTIONALS.get(words["prefix"], words["prefix"]),
        street=street,
        tag=STREET_SUFFIXES.get(tag, tag),
        direction=DIRECTIONALS.get(words["direction"], words["direction"]),
        apt=normalize_unit(words["apt"].split()),
    )


def _address(parts: StreetParts, place: Mapping[str, str]) -> Address:
    return Address(
        number=parts.number,
        prefix=parts.prefix,
        street=parts.street,
        tag=parts.tag,
        direction=parts.direction,
        apt=parts.apt,
        post_office_box=parts.post_office_box,
        **place,
    )


def normalize_address(
    payload: object, *, path: str = "address"
) -> tuple[Address | None, list[RuleError]]:
    """Validate, parse and normalize one address payload of either form.

    Returns the normalized ``Address`` and no errors, or ``None`` and every error. The
    components form never fails to parse: when the re-assembled line cannot be re-parsed,
    or the re-parse would change the house number or the unit, the components are
    normalized one by one instead.
    """
    errors = validate_address(payload, path=path)
    if errors:
        return None, errors
    assert isinstance(payload, Mapping)  # validate_address refuses anything else
    place = _place(payload)
    sent = _sent(payload)
    if "fullStreetAddress" in sent:
        try:
            parts = _parse_line(_text(payload["fullStreetAddress"]), place)
        except Unparseable as exc:
            field = join_path(path, "fullStreetAddress")
            return None, [RuleError(field, "unparseable", str(exc))]
        return _address(parts, place), []
    if "postOfficeBox" in sent:
        number = clean_line(_text(payload.get("number"))).replace("#", "").strip()
        return _address(StreetParts(number=number, post_office_box=True), place), []
    as_sent = _components_as_sent(payload)
    values = {name: _text(payload.get(name)) for name in STREET_COMPONENTS}
    try:
        parts = parse_clean_line(clean_line(_assemble(values)))
    except Unparseable:
        parts = as_sent
    if parts.number != as_sent.number or parts.apt != as_sent.apt or parts.post_office_box:
        parts = as_sent
    return _address(parts, place), []


# --- matching ---------------------------------------------------------------------------

AddressId = Hashable
ComponentsKey = tuple[tuple[str, str], ...]
FindByComponents = (
    Callable[[dict[str, str | bool]], AddressId | None] | Mapping[ComponentsKey, AddressId]
)
FindByKey = Callable[[str], AddressId | None] | Mapping[str, AddressId]
MatchHow = Literal["components", "key", "create", "invalid"]


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """The outcome of ``match_address``.

    ``how`` is "components" (exact match, ``address_id`` set), "key" (match by key after
    re-parsing, ``address_id`` and ``address`` set), "create" (no match: create ``address``)
    or "invalid" (``errors`` set). On an exact components match the payload is not parsed
    and ``address`` is None.
    """

    how: MatchHow
    address_id: AddressId | None = None
    address: Address | None = None
    errors: tuple[RuleError, ...] = ()


def components_lookup_key(components: Mapping[str, object]) -> ComponentsKey:
    """Hashable form of components, for callers that pass a Mapping as ``find_by_components``.

    Fields in API order, blank ones left out, values trimmed; ``postOfficeBox`` as "true".
    """
    items: list[tuple[str, str]] = []
    for name in COMPONENT_FIELDS:
        value = components.get(name)
        if name == "postOfficeBox":
            if _is_po_box(value):
                items.append((name, "true"))
        elif _text(value):
            items.append((name, _text(value)))
    return tuple(items)


def _exact_components(payload: Mapping[str, object]) -> dict[str, str | bool]:
    exact: dict[str, str | bool] = {}
    for name in COMPONENT_FIELDS:
        value = payload.get(name)
        if name == "postOfficeBox":
            if _is_po_box(value):
                exact[name] = True
        elif _text(value):
            exact[name] = _text(value)
    return exact


def _lookup(finder: Callable | Mapping, key: object, mapping_key: Hashable) -> AddressId | None:
    if isinstance(finder, Mapping):
        return finder.get(mapping_key)
    return finder(key)


def match_address(
    payload: object,
    *,
    find_by_components: FindByComponents,
    find_by_key: FindByKey,
    path: str = "address",
) -> AddressMatch:
    """Find the district's existing address for a payload, in the order the guide gives.

    ``find_by_components(components)`` gets the components dict in API names (as sent, or
    as parsed from ``fullStreetAddress``) and returns an address id or None;
    ``find_by_key(key)`` gets ``Address.key``. Either may instead be a Mapping (keyed by
    ``components_lookup_key(...)`` and by key string respectively).

    >>> match_address({"fullStreetAddress": "4321 North Lexington Avenue", "city": "Blaine",
    ...                "state": "MN", "zip": "55123"}, find_by_components={},
    ...               find_by_key={"4321|N|LEXINGTON|AVE|||MN|55123": 7}).address_id
    7
    """
    errors = validate_address(payload, path=path)
    if errors:
        return AddressMatch("invalid", errors=tuple(errors))
    assert isinstance(payload, Mapping)
    if "fullStreetAddress" not in _sent(payload):
        exact = _exact_components(payload)
        found = _lookup(find_by_components, exact, components_lookup_key(exact))
        if found is not None:
            return AddressMatch("components", address_id=found)
    address, errors = normalize_address(payload, path=path)
    if address is None:
        return AddressMatch("invalid", errors=tuple(errors))
    if "fullStreetAddress" in _sent(payload):
        parsed = address.components()
        found = _lookup(find_by_components, parsed, components_lookup_key(parsed))
        if found is not None:
            return AddressMatch("components", address_id=found, address=address)
    found = _lookup(find_by_key, address.key, address.key)
    if found is not None:
        return AddressMatch("key", address_id=found, address=address)
    return AddressMatch("create", address=address)
