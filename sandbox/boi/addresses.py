"""Campus's address records and the BOI address rules (``boi.rules.addresses``).

Every ``Address`` row carries two indexed keys, so matching is one index lookup per key:

- ``components_key``: SHA-256 of the components exactly as stored (the guide's first,
  exact match), in ``components_lookup_key`` form;
- ``match_key``: the normalized (USPS Pub 28) key, ``Address.key`` of the rules, for the
  second match after re-assembling and re-parsing.

``AddressIndex`` resolves a batch of payloads with two queries in all (``load``), then
hands ``match_address`` plain dicts; addresses created during the batch are added to it,
so two staff at one new address share one new record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from django.db import connection

from boi.rules import addresses as rules
from sandbox.models import Address

# Model field → BOI API component name.
API_NAMES = {
    "post_office_box": "postOfficeBox",
    "number": "number",
    "prefix": "prefix",
    "street": "street",
    "tag": "tag",
    "direction": "direction",
    "apt": "apt",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "county": "county",
    "location_code": "locationCode",
    "tract": "tract",
    "block": "block",
}


def components_hash(components: Mapping[str, object]) -> str:
    """``components_key`` of components in API names (blank parts and a false PO flag ignored)."""
    lookup = rules.components_lookup_key(components)
    return hashlib.sha256(json.dumps(lookup, separators=(",", ":")).encode()).hexdigest()


def record_components(address) -> dict[str, object]:
    """An Address row (or a dict of its fields) in BOI API component names."""
    get = address.get if isinstance(address, Mapping) else lambda name, d="": getattr(address, name)
    components: dict[str, object] = {}
    for model_name, api_name in API_NAMES.items():
        value = get(model_name, "")
        if model_name == "post_office_box":
            if value:
                components[api_name] = True
        elif value:
            components[api_name] = value
    return components


def record_keys(address) -> tuple[str, str]:
    """``(components_key, match_key)`` of a stored address (a row or a dict of fields).

    The match key comes from normalizing the stored components; a record whose street
    line was typed into one field (no number) is read as a ``fullStreetAddress``. A record
    that cannot be read at all gets no match key: it can still be matched exactly.
    """
    components = record_components(address)
    address_rules, errors = rules.normalize_address(components)
    if errors and not components.get("postOfficeBox"):
        address_rules, errors = rules.normalize_address(rules.full_form_of(components))
    match_key = address_rules.key if address_rules is not None and not errors else ""
    return components_hash(components), match_key[:200]


def rows_fill_keys(rows: Iterable[dict]) -> None:
    """Fill ``components_key`` and ``match_key`` of address rows (dicts of model fields)."""
    for row in rows:
        row["components_key"], row["match_key"] = record_keys(row)


def address_from_rules(address: rules.Address) -> Address:
    """An unsaved Address row for a normalized address the rules said to create."""
    row = Address(
        post_office_box=address.post_office_box,
        number=address.number,
        prefix=address.prefix,
        street=address.street,
        tag=address.tag,
        direction=address.direction,
        apt=address.apt,
        city=address.city,
        state=address.state,
        zip=address.zip,
        county=address.county,
        location_code=address.location_code,
        tract=address.tract,
        block=address.block,
    )
    row.components_key, row.match_key = components_hash(record_components(row)), address.key
    return row


def address_to_api(address: Address) -> dict[str, object]:
    """An address record as the BOI API returns it: its id, components and one line."""
    return {
        "addressID": address.pk,
        "postOfficeBox": address.post_office_box,
        **{
            API_NAMES[name]: getattr(address, name)
            for name in API_NAMES
            if name != "post_office_box"
        },
        "oneLine": address.one_line(),
    }


def payload_keys(payload: object) -> tuple[str | None, str | None]:
    """The two lookup keys an address payload may match on (None where it cannot)."""
    if not isinstance(payload, Mapping) or rules.validate_address(payload):
        return None, None
    exact = None
    if (
        "fullStreetAddress" not in payload
        or not str(payload.get("fullStreetAddress") or "").strip()
    ):
        exact = components_hash(payload)
    normalized, errors = rules.normalize_address(payload)
    if normalized is None or errors:
        return exact, None
    parsed_exact = components_hash(normalized.components())
    return exact or parsed_exact, normalized.key


def _ids_by(field: str, values: list[str]) -> list[tuple[str, int]]:
    """(value, id) of the addresses whose ``field`` is one of ``values``, oldest first per
    value: one plain statement (a search of every pre-flight address; the ORM's compiling
    cost more than the query)."""
    qn = connection.ops.quote_name
    column = qn(Address._meta.get_field(field).column)
    table, pk = qn(Address._meta.db_table), qn(Address._meta.pk.column)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ({marks}) "  # noqa: S608
            f"ORDER BY {column}, {pk}",
            values,
        )
        return cursor.fetchall()


class AddressIndex:
    """The district's addresses a batch of payloads may match, keyed both ways.

    Values are address ids, or unsaved ``Address`` rows created earlier in the batch.
    Several records may share a match key (near-duplicates typed before the rules
    existed): the oldest wins, so every caller picks the same one.
    """

    def __init__(self):
        self.by_components: dict[str, int | Address] = {}
        self.by_key: dict[str, int | Address] = {}

    def load(self, payloads: Iterable[object]) -> AddressIndex:
        components_keys: set[str] = set()
        match_keys: set[str] = set()
        for payload in payloads:
            exact, key = payload_keys(payload)
            if exact:
                components_keys.add(exact)
            if key:
                match_keys.add(key)
        for field, keys, target in (
            ("components_key", components_keys, self.by_components),
            ("match_key", match_keys, self.by_key),
        ):
            wanted = sorted(keys - set(target))
            for start in range(0, len(wanted), 900):
                for value, address_id in _ids_by(field, wanted[start : start + 900]):
                    target.setdefault(value, address_id)
        return self

    def find_by_components(self, components: Mapping[str, object]):
        return self.by_components.get(components_hash(components))

    def find_by_key(self, key: str):
        return self.by_key.get(key)

    def match(self, payload: object, *, path: str = "address") -> rules.AddressMatch:
        return rules.match_address(
            payload,
            find_by_components=self.find_by_components,
            find_by_key=self.find_by_key,
            path=path,
        )

    def add(self, row: Address) -> None:
        self.by_components.setdefault(row.components_key, row)
        if row.match_key:
            self.by_key.setdefault(row.match_key, row)


def address_search(params: Mapping[str, str]) -> tuple[list[Address], list[rules.RuleError]]:
    """Address search (``GET addresses``), by the rules' matching: the exact record first,
    then every record sharing its normalized key (oldest first). Returns (addresses, errors).
    """
    payload: dict[str, object] = dict(params)
    if "postOfficeBox" in payload:
        payload["postOfficeBox"] = str(payload["postOfficeBox"]).strip().lower() == "true"
    index = AddressIndex().load([payload])
    match = index.match(payload)
    if match.how == "invalid":
        return [], list(match.errors)
    if match.how == "create":
        return [], []
    found = Address.objects.filter(pk=match.address_id).first()
    if found is None:
        return [], []
    key = match.address.key if match.address is not None else found.match_key
    others = (
        Address.objects.filter(match_key=key).exclude(pk=found.pk).order_by("id") if key else []
    )
    return [found, *others], []
