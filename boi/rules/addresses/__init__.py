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

Modules: ``forms`` (the field names of the two forms, reading what was sent, an
address's spelling), ``address`` (the normalized ``Address`` and its key), ``validate``,
``normalize``, ``match``. Both the console and the Campus sandbox use the names below.
"""

from boi.rules.addresses.address import Address
from boi.rules.addresses.forms import (
    ADDRESS_FIELDS,
    AREA_FIELDS,
    COMPONENT_FIELDS,
    FULL_FORM_FIELDS,
    PLACE_FIELDS,
    PO_BOX_FIELDS,
    REQUIRED_PLACE_FIELDS,
    STREET_COMPONENTS,
    components_of,
    normalize_state,
    normalize_zip,
    street_spelling,
)
from boi.rules.addresses.match import (
    AddressId,
    AddressMatch,
    ComponentsKey,
    FindByComponents,
    FindByKey,
    MatchHow,
    components_lookup_key,
    match_address,
)
from boi.rules.addresses.normalize import address_to_send, full_form_of, normalize_address
from boi.rules.addresses.validate import validate_address

__all__ = [
    "ADDRESS_FIELDS",
    "AREA_FIELDS",
    "COMPONENT_FIELDS",
    "FULL_FORM_FIELDS",
    "PLACE_FIELDS",
    "PO_BOX_FIELDS",
    "REQUIRED_PLACE_FIELDS",
    "STREET_COMPONENTS",
    "Address",
    "address_to_send",
    "full_form_of",
    "AddressId",
    "AddressMatch",
    "ComponentsKey",
    "FindByComponents",
    "FindByKey",
    "MatchHow",
    "components_lookup_key",
    "components_of",
    "match_address",
    "normalize_address",
    "normalize_state",
    "normalize_zip",
    "street_spelling",
    "validate_address",
]
