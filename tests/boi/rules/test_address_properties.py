"""Property tests on free-text addresses: the parser never crashes and keys are stable."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boi.rules.addresses import normalize_address
from boi.rules.errors import RuleError
from boi.rules.pub28 import DIRECTIONALS, STREET_SUFFIXES, UNIT_DESIGNATORS

BLAINE = {"city": "Blaine", "state": "MN", "zip": "55123"}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = [
    "Lexington",
    "Main",
    "Oak",
    "Maple Grove",
    "Elm",
    "109th",
    "42nd",
    "Washington",
    "Country Club",
    "Cedar",
    "Lake",
    "Pine Ridge",
    "Jefferson",
    "3rd",
    "Martin Luther King",
]
COMMON_SUFFIXES = [
    "Ave",
    "Avenue",
    "St",
    "Street",
    "Blvd",
    "Boulevard",
    "Rd",
    "Road",
    "Dr",
    "Drive",
    "Ln",
    "Lane",
    "Ct",
    "Court",
    "Cir",
    "Circle",
    "Way",
    "Pl",
    "Place",
    "Ter",
    "Terrace",
    "Pkwy",
    "Parkway",
    "Trl",
    "Trail",
]
DIRECTIONS = [
    "N",
    "North",
    "S",
    "South",
    "E",
    "East",
    "W",
    "West",
    "NE",
    "Northeast",
    "NW",
    "Northwest",
    "SE",
    "Southeast",
    "SW",
    "Southwest",
]
UNITS = ["Apt", "Apartment", "Unit", "Suite", "Ste", "#"]


@st.composite
def street_addresses(draw):
    """Realistic street lines: number, [predir], name, suffix, [postdir], [unit]."""
    parts = [str(draw(st.integers(min_value=1, max_value=99999)))]
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(DIRECTIONS)))
    parts.append(draw(st.sampled_from(NAMES)))
    parts.append(draw(st.sampled_from(COMMON_SUFFIXES)))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(DIRECTIONS)))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(UNITS)))
        parts.append(str(draw(st.integers(min_value=1, max_value=999))))
    return parts


def normalized(line, **place):
    return normalize_address({"fullStreetAddress": line, **(place or BLAINE)})


def key_of(line):
    address, errors = normalized(line)
    assert errors == [], (line, errors)
    return address.key


@SETTINGS
@given(st.text(max_size=80))
def test_any_text_gives_an_address_or_rule_errors_and_never_raises(line):
    address, errors = normalized(line)
    assert (address is None) == bool(errors)
    assert all(isinstance(error, RuleError) for error in errors)
    assert all(error.code in {"required", "unparseable"} for error in errors)


@SETTINGS
@given(st.text(alphabet=string.ascii_letters + string.digits + " #-/.,'&", max_size=60))
def test_address_like_text_never_raises(line):
    address, errors = normalized(line)
    assert (address is None) == bool(errors)


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["number", "prefix", "street", "tag", "direction", "apt"]),
        st.text(max_size=20),
    )
)
def test_any_components_give_an_address_or_rule_errors_and_never_raise(components):
    address, errors = normalize_address({**components, **BLAINE})
    assert (address is None) == bool(errors)


@SETTINGS
@given(street_addresses(), st.data())
def test_keys_are_stable_under_case_punctuation_and_whitespace(parts, data):
    def vary(token):
        token = data.draw(st.sampled_from([token, token.upper(), token.lower(), token.title()]))
        return token + data.draw(st.sampled_from(["", ".", ","]))

    varied = data.draw(st.sampled_from(["  ", " ", "\t"])).join(vary(token) for token in parts)
    assert key_of(varied) == key_of(" ".join(parts))


@SETTINGS
@given(street_addresses())
def test_an_address_re_parsed_from_its_own_street_line_keeps_its_key(parts):
    address, _ = normalized(" ".join(parts))
    assert key_of(address.street_line()) == address.key


@SETTINGS
@given(street_addresses())
def test_the_components_form_of_a_parsed_address_has_the_same_key(parts):
    address, _ = normalized(" ".join(parts))
    components = {k: v for k, v in address.components().items() if k not in BLAINE}
    again, errors = normalize_address({**components, **BLAINE})
    assert errors == []
    assert again.key == address.key


@SETTINGS
@given(street_addresses(), st.integers(min_value=1, max_value=99999))
def test_a_different_house_number_is_never_the_same_address(parts, other_number):
    if str(other_number) == parts[0]:
        return
    assert key_of(" ".join(parts)) != key_of(" ".join([str(other_number), *parts[1:]]))


@SETTINGS
@given(
    st.sampled_from(NAMES),
    st.sampled_from(
        sorted(
            {
                s
                for s, std in STREET_SUFFIXES.items()
                if std
                in {"AVE", "ST", "BLVD", "RD", "DR", "LN", "CT", "PKWY", "CIR", "TRL", "HWY", "PL"}
            }
        )
    ),
)
def test_every_spelling_of_a_common_suffix_gives_one_key(name, suffix):
    standard = STREET_SUFFIXES[suffix]
    assert key_of(f"100 {name} {suffix}") == key_of(f"100 {name} {standard}")


@SETTINGS
@given(st.sampled_from(NAMES), st.sampled_from(sorted(DIRECTIONALS)))
def test_every_spelling_of_a_post_directional_gives_one_key(name, direction):
    standard = DIRECTIONALS[direction]
    assert key_of(f"100 {name} Ave {direction}") == key_of(f"100 {name} Ave {standard}")


@SETTINGS
@given(
    st.sampled_from(
        sorted(
            d
            for d, s in UNIT_DESIGNATORS.items()
            if s in {"APT", "STE", "UNIT", "RM", "LOT", "TRLR", "SPC", "BLDG", "FL"}
        )
    ),
    st.integers(1, 999),
)
def test_the_unit_designator_does_not_change_the_key(designator, unit):
    assert key_of(f"100 Main St {designator} {unit}") == key_of(f"100 Main St # {unit}")
