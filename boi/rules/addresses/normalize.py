"""Parsing and normalizing an address of either form to USPS Pub 28."""

from __future__ import annotations

from collections.abc import Mapping

from boi.rules.address_parser import (
    RURAL_STREET,
    StreetParts,
    Unparseable,
    clean_line,
    normalize_unit,
    parse_clean_line,
    route_name,
)
from boi.rules.addresses.address import Address
from boi.rules.addresses.forms import (
    PLACE_FIELDS,
    STATE_NAMES,
    STREET_COMPONENTS,
    normalize_state,
    normalize_zip,
    sent_fields,
    text,
)
from boi.rules.addresses.validate import validate_address
from boi.rules.errors import RuleError, join_path
from boi.rules.pub28 import DIRECTIONALS, STREET_SUFFIXES, UNIT_DESIGNATORS


def _place(payload: Mapping[str, object]) -> dict[str, str]:
    state = text(payload.get("state"))
    return {
        "city": clean_line(text(payload.get("city"))),
        "state": normalize_state(state) or clean_line(state),
        "zip": normalize_zip(text(payload.get("zip"))),
        "county": clean_line(text(payload.get("county"))),
        "location_code": text(payload.get("locationCode")),
        "tract": text(payload.get("tract")),
        "block": text(payload.get("block")),
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
    state_name = STATE_NAMES.get(state, "").split()
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
    words = {name: clean_line(text(payload.get(name))) for name in STREET_COMPONENTS}
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
    sent = sent_fields(payload)
    if "fullStreetAddress" in sent:
        try:
            parts = _parse_line(text(payload["fullStreetAddress"]), place)
        except Unparseable as exc:
            field = join_path(path, "fullStreetAddress")
            return None, [RuleError(field, "unparseable", str(exc))]
        return _address(parts, place), []
    if "postOfficeBox" in sent:
        number = clean_line(text(payload.get("number"))).replace("#", "").strip()
        return _address(StreetParts(number=number, post_office_box=True), place), []
    as_sent = _components_as_sent(payload)
    values = {name: text(payload.get(name)) for name in STREET_COMPONENTS}
    try:
        parts = parse_clean_line(clean_line(_assemble(values)))
    except Unparseable:
        parts = as_sent
    if parts.number != as_sent.number or parts.apt != as_sent.apt or parts.post_office_box:
        parts = as_sent
    return _address(parts, place), []


def full_form_of(components: Mapping[str, object]) -> dict[str, str]:
    """An address's street components put together as the guide's full form
    (``fullStreetAddress`` and the place), the line Campus re-parses (``_assemble``).

    >>> full_form_of({"street": "8484 Washington St", "apt": "12", "city": "Blaine",
    ...               "state": "MN", "zip": "55123"})["fullStreetAddress"]
    '8484 Washington St # 12'
    """
    values = {name: text(components.get(name)) for name in STREET_COMPONENTS}
    full = {"fullStreetAddress": " ".join(_assemble(values).split())}
    full.update({k: text(components.get(k)) for k in PLACE_FIELDS if text(components.get(k))})
    return full


def address_to_send(components: Mapping[str, object]) -> dict[str, object]:
    """A Campus address as the BOI API takes it back: its own components when they form a
    valid address, else (a street line typed into one field, no house number) the full
    form of them, which Campus parses and matches to the same record."""
    if validate_address(dict(components)):
        return full_form_of(components)
    return dict(components)
