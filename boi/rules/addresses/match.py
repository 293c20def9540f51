"""Matching an incoming address to the district's, in the order the BOI guide gives."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Literal

from boi.rules.addresses.address import Address
from boi.rules.addresses.forms import COMPONENT_FIELDS, is_po_box, sent_fields, text
from boi.rules.addresses.normalize import normalize_address
from boi.rules.addresses.validate import validate_address
from boi.rules.errors import RuleError

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
            if is_po_box(value):
                items.append((name, "true"))
        elif text(value):
            items.append((name, text(value)))
    return tuple(items)


def _exact_components(payload: Mapping[str, object]) -> dict[str, str | bool]:
    exact: dict[str, str | bool] = {}
    for name in COMPONENT_FIELDS:
        value = payload.get(name)
        if name == "postOfficeBox":
            if is_po_box(value):
                exact[name] = True
        elif text(value):
            exact[name] = text(value)
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
    if "fullStreetAddress" not in sent_fields(payload):
        exact = _exact_components(payload)
        found = _lookup(find_by_components, exact, components_lookup_key(exact))
        if found is not None:
            return AddressMatch("components", address_id=found)
    address, errors = normalize_address(payload, path=path)
    if address is None:
        return AddressMatch("invalid", errors=tuple(errors))
    if "fullStreetAddress" in sent_fields(payload):
        parsed = address.components()
        found = _lookup(find_by_components, parsed, components_lookup_key(parsed))
        if found is not None:
            return AddressMatch("components", address_id=found, address=address)
    found = _lookup(find_by_key, address.key, address.key)
    if found is not None:
        return AddressMatch("key", address_id=found, address=address)
    return AddressMatch("create", address=address)
