"""Address rules of the BOI guide: the two forms, Pub 28 normalization, match key, matching."""

import pytest

from boi.rules.addresses import (
    Address,
    components_lookup_key,
    match_address,
    normalize_address,
    validate_address,
)

BLAINE = {"city": "Blaine", "state": "MN", "zip": "55123"}


def full(line, **place):
    return {"fullStreetAddress": line, **(place or BLAINE)}


def key_of(line, **place):
    address, errors = normalize_address(full(line, **place))
    assert errors == [], errors
    return address.key


def codes(errors):
    return [(error.field, error.code) for error in errors]


# --- the two forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        # the guide's component example
        {
            "number": "4321",
            "prefix": "South",
            "street": "Lexington",
            "tag": "Ave",
            "direction": "SE",
            "apt": "45",
            **BLAINE,
        },
        # the guide's PO box example
        {"postOfficeBox": True, "number": "54", **BLAINE},
        # the guide's fullStreetAddress example
        {"fullStreetAddress": "4321 South Lexington Ave SE Apt 45", **BLAINE},
        {"fullStreetAddress": "P.O. Box 125", **BLAINE, "county": "Anoka"},
        {
            "number": "1",
            "street": "Main",
            **BLAINE,
            "locationCode": "A",
            "tract": "1",
            "block": "2",
        },
        {"postOfficeBox": "true", "number": "54", **BLAINE},
        {"postOfficeBox": False, "number": "1", "street": "Main", **BLAINE},
    ],
)
def test_the_guides_address_forms_are_accepted(payload):
    assert validate_address(payload) == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"fullStreetAddress": "4321 Lexington Ave", "number": "4321", **BLAINE},
            [("address.fullStreetAddress", "conflict")],
        ),
        (
            {"fullStreetAddress": "4321 Lexington Ave", "apt": "4", **BLAINE},
            [("address.fullStreetAddress", "conflict")],
        ),
        (
            {"fullStreetAddress": "PO Box 4", "postOfficeBox": True, **BLAINE},
            [("address.fullStreetAddress", "conflict")],
        ),
        (
            {"postOfficeBox": True, "number": "54", "street": "Main", "apt": "2", **BLAINE},
            [("address.street", "conflict"), ("address.apt", "conflict")],
        ),
        (
            {"postOfficeBox": True, "number": "54", "tract": "7", **BLAINE},
            [("address.tract", "conflict")],
        ),
        ({"postOfficeBox": True, **BLAINE}, [("address.number", "required")]),
        ({"number": "4321", **BLAINE}, [("address.street", "required")]),
        ({"street": "Lexington", **BLAINE}, [("address.number", "required")]),
        ({**BLAINE}, [("address.fullStreetAddress", "required")]),
        ({"fullStreetAddress": "   ", **BLAINE}, [("address.fullStreetAddress", "required")]),
        (
            {"fullStreetAddress": "1 Main St"},
            [
                ("address.city", "required"),
                ("address.state", "required"),
                ("address.zip", "required"),
            ],
        ),
        (
            {"fullStreetAddress": "1 Main St", **BLAINE, "state": "Minn"},
            [("address.state", "invalid")],
        ),
        ({"fullStreetAddress": "1 Main St", **BLAINE, "zip": "5512"}, [("address.zip", "invalid")]),
        ({"fullStreetAddress": "1 Main St", **BLAINE, "zip": 55123}, [("address.zip", "invalid")]),
        (
            {"fullStreetAddress": "1 Main St", **BLAINE, "zipcode": "55123"},
            [("address.zipcode", "unknown_field")],
        ),
        ({"postOfficeBox": "yes", "number": "5", **BLAINE}, [("address.postOfficeBox", "invalid")]),
    ],
)
def test_address_payload_problems_are_all_named(payload, expected):
    assert codes(validate_address(payload)) == expected


def test_every_problem_of_an_address_is_reported_at_once():
    payload = {"postOfficeBox": True, "street": "Main", "zip": "1", "colour": "red"}
    assert codes(validate_address(payload, path="a")) == [
        ("a.colour", "unknown_field"),
        ("a.street", "conflict"),
        ("a.number", "required"),
        ("a.city", "required"),
        ("a.state", "required"),
        ("a.zip", "invalid"),
    ]


def test_a_four_digit_zip_is_suspected_of_a_lost_leading_zero():
    (error,) = validate_address({"fullStreetAddress": "1 Main St", **BLAINE, "zip": "2134"})
    assert "leading zero" in error.message


def test_an_address_that_is_not_an_object_is_refused():
    assert codes(validate_address("4321 Main St")) == [("address", "invalid")]


# --- parsing and Pub 28 normalization -----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number", "prefix", "street", "tag", "direction", "apt"),
    [
        # the guide's examples
        ("4321 South Lexington Ave SE Apt 45", "4321", "S", "LEXINGTON", "AVE", "SE", "45"),
        ("4321 N Lexington Ave.", "4321", "N", "LEXINGTON", "AVE", "", ""),
        ("4321 North Lexington Avenue", "4321", "N", "LEXINGTON", "AVE", "", ""),
        ("4321 109th Ave Northwest", "4321", "", "109TH", "AVE", "NW", ""),
        ("4321 W 109th Ave NW", "4321", "W", "109TH", "AVE", "NW", ""),
        ("12500 South 42nd Gardens Apt 123", "12500", "S", "42ND", "GDNS", "", "123"),
        # directionals, and a directional that is the street's name
        ("100 North St", "100", "", "NORTH", "ST", "", ""),
        ("250 SOUTH ST E", "250", "", "SOUTH", "ST", "E", ""),
        ("250 South St East", "250", "", "SOUTH", "ST", "E", ""),
        ("12 N.E. Main St", "12", "NE", "MAIN", "ST", "", ""),
        ("100 Main Street Southwest", "100", "", "MAIN", "ST", "SW", ""),
        ("12 Main St N. E.", "12", "", "MAIN", "ST", "NE", ""),
        ("100 Main Rd E Lobby 800", "100", "", "MAIN", "RD", "E", "800"),
        ("100 So. Main St", "100", "", "SO MAIN", "ST", "", ""),  # SO is no Pub 28 directional
        # suffixes (Appendix C1), two suffix words, pre-types, post-modifiers
        ("1 Oak Boulevard", "1", "", "OAK", "BLVD", "", ""),
        ("1 Oak Avn", "1", "", "OAK", "AVE", "", ""),
        ("1 Oak Strt", "1", "", "OAK", "ST", "", ""),
        ("1 Oak Parkway", "1", "", "OAK", "PKWY", "", ""),
        ("10 Park Ave Rd", "10", "", "PARK AVENUE", "RD", "", ""),
        ("10 Park Avenue Road", "10", "", "PARK AVENUE", "RD", "", ""),
        ("12 Hwy 52 N", "12", "", "HIGHWAY 52", "", "N", ""),
        ("12 Co Rd 12", "12", "", "COUNTY ROAD 12", "", "", ""),
        ("1 Ave of the Americas", "1", "", "AVENUE OF THE AMERICAS", "", "", ""),
        ("123 Old Mill Road Ext", "123", "", "OLD MILL", "RD EXT", "", ""),
        ("98095 SW Country Club Extension", "98095", "SW", "COUNTRY", "CLB EXT", "", ""),
        ("100 Country Club Highway", "100", "", "COUNTRY CLUB", "HWY", "", ""),
        ("1 Oak Trail South", "1", "", "OAK", "TRL", "S", ""),
        ("100 Spring Lake Beach", "100", "", "SPRING LAKE", "BCH", "", ""),
        ("2 Lexington Rd West Apartment 1", "2", "", "LEXINGTON", "RD", "W", "1"),
        ("12 U.S. Hwy 52", "12", "", "US HIGHWAY 52", "", "", ""),
        # units (Appendix C2): the designator is dropped, a lone designator is the unit
        ("100 Main St Suite 200", "100", "", "MAIN", "ST", "", "200"),
        ("100 Main St Apartment 4B", "100", "", "MAIN", "ST", "", "4B"),
        ("100 Main St # 4", "100", "", "MAIN", "ST", "", "4"),
        ("100 Main St #4-B", "100", "", "MAIN", "ST", "", "4-B"),
        ("100 Main St Rear", "100", "", "MAIN", "ST", "", "REAR"),
        ("100 Main St Upper", "100", "", "MAIN", "ST", "", "UPPR"),
        ("100 Main St Apt 4 Floor 2", "100", "", "MAIN", "ST", "", "4 FL 2"),
        # TRAILER is a suffix and a unit designator: before a number it is the unit's
        ("100 Pine Trail Trailer 12", "100", "", "PINE", "TRL", "", "12"),
        # a unit word that is the street's name (read by the rule parser: usaddress
        # labels this line out of order)
        ("250 E Side St E", "250", "E", "SIDE", "ST", "E", ""),
        # house numbers, ordinals, accents
        ("7 1/2 Oak St", "7 1/2", "", "OAK", "ST", "", ""),
        ("N123W456 Main St", "N123W456", "", "MAIN", "ST", "", ""),
        ("5 Peña Blvd", "5", "", "PENA", "BLVD", "", ""),
        ("5 O'Connor Ct", "5", "", "OCONNOR", "CT", "", ""),
        # rural and highway contract routes
        ("RR 2 Box 15", "15", "", "RR 2", "", "", ""),
        ("Rural Route 2, Box 15", "15", "", "RR 2", "", "", ""),
        ("RR2 Box 15", "15", "", "RR 2", "", "", ""),
        ("HCR 1 Box 3", "3", "", "HC 1", "", "", ""),
    ],
)
def test_street_addresses_are_parsed_into_campus_components(
    line, number, prefix, street, tag, direction, apt
):
    address, errors = normalize_address(full(line))
    assert errors == []
    assert (address.number, address.prefix, address.street, address.tag) == (
        number,
        prefix,
        street,
        tag,
    )
    assert (address.direction, address.apt, address.post_office_box) == (direction, apt, False)


@pytest.mark.parametrize(
    "line",
    [
        "PO Box 12",
        "P.O. BOX 12",
        "Post Office Box 12",
        "P O Box 12",
        "POB 12",
        "PO BX 12",
        "POBOX 12",
        "Box 12",
        "PO Box #12",
    ],
)
def test_every_spelling_of_a_po_box_is_one_po_box(line):
    address, errors = normalize_address(full(line))
    assert errors == []
    assert address.post_office_box
    assert address.number == "12"
    assert address.key == "PO|12|55123"
    assert address.street_line() == "PO BOX 12"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("General Delivery", "cannot read"),
        ("Main Street", "cannot read"),
        ("100 Main St and 2nd Ave", "intersection"),
        ("PO Box 12 Dept 4", "PO BOX <number>"),
        ("123 Main St Coon Rapids", "own fields"),
        ("#", "cannot read"),
        ("1" * 250, "longer than"),
    ],
)
def test_an_unparseable_street_address_gives_a_clear_rule_error(line, reason):
    address, errors = normalize_address(full(line))
    assert address is None
    assert codes(errors) == [("address.fullStreetAddress", "unparseable")]
    assert reason in errors[0].message


def test_250_south_st_e_does_not_crash_the_parser():
    # usaddress raises RepeatedLabelError on this line; the rule parser reads it.
    assert key_of("250 SOUTH ST E") == key_of("250 South Street East")


def test_a_copy_of_city_state_and_zip_in_the_street_line_is_ignored():
    assert key_of("4321 Main St, Blaine, MN 55123") == key_of("4321 Main St")
    assert key_of("4321 Main St NW Blaine Minnesota") == key_of("4321 Main St NW")


def test_a_street_named_like_its_city_is_kept():
    address, _ = normalize_address(
        full("100 Stillwater", city="Stillwater", state="MN", zip="55082")
    )
    assert address.street == "STILLWATER"


def test_place_fields_are_normalized():
    address, _ = normalize_address(
        {
            "fullStreetAddress": "1 Main St",
            "city": " coon  rapids ",
            "state": "minnesota",
            "zip": "554331234",
            "county": "Anoka",
        }
    )
    assert (address.city, address.state, address.zip, address.county) == (
        "COON RAPIDS",
        "MN",
        "55433-1234",
        "ANOKA",
    )


# --- the match key --------------------------------------------------------------------------


def test_north_lexington_avenue_and_n_lexington_ave_are_one_address():
    assert key_of("4321 North Lexington Avenue") == key_of("4321 N Lexington Ave. ")
    assert key_of("4321 N Lexington Ave") == "4321|N|LEXINGTON|AVE|||MN|55123"


def test_109th_ave_nw_with_and_without_w_prefix_are_two_addresses():
    assert key_of("4321 109th Ave Northwest") != key_of("4321 W 109th Ave NW")


def test_12500_south_42nd_gardens_has_a_south_prefix():
    address, _ = normalize_address(full("12500 South 42nd Gardens Apt 123"))
    assert address.key == "12500|S|42ND|GDNS||123|MN|55123"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("100 Main St Apt 4", "100 Main St Unit 4"),
        ("100 Main St Apt 4", "100 Main St # 4"),
        ("100 Main St Apt 4B", "100 Main St Suite 4-B"),
        ("100 Main St", "100 MAIN STREET"),
        ("4321 South Lexington Ave SE Apt 45", "4321 S Lexington Avenue Southeast Apartment 45"),
        ("10 Park Ave Rd", "10 Park Avenue Rd"),
        ("100 Country Club Highway", "100 Country Club Hwy"),
        ("1 Oak Trail South", "1 Oak Trl S"),
        ("98095 SW Country Club Extension", "98095 SW Country Club Ext"),
        ("12 Main St N. E.", "12 Main St Northeast"),
        ("RR 2 Box 15", "Rural Route 2 Box 15"),
    ],
)
def test_spellings_of_one_address_share_a_key(one, other):
    assert key_of(one) == key_of(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("100 Main St", "102 Main St"),  # house number differs
        ("100 Main St Apt 4", "100 Main St Apt 5"),  # unit differs
        ("100 Main St Apt 4", "100 Main St"),
        ("100 Main St Rear", "100 Main St"),  # a lone designator is a unit
        ("100 Main St", "100 Main Ave"),
        ("100 Main St", "100 N Main St"),
        ("100 Main St", "100 Main St N"),
        ("PO Box 12", "PO Box 13"),
        ("PO Box 12", "12 Box St"),
    ],
)
def test_addresses_that_differ_in_number_unit_or_street_never_share_a_key(one, other):
    assert key_of(one) != key_of(other)


def test_the_key_drops_the_city_but_keeps_state_and_zip5():
    key = key_of("100 Main St", city="Lino Lakes", state="MN", zip="55123-4567")
    assert key == key_of("100 Main St", city="Blaine", state="MN", zip="55123")
    assert key != key_of("100 Main St", city="Blaine", state="MN", zip="55124")
    assert key != key_of("100 Main St", city="Blaine", state="WI", zip="55123")


def test_a_po_box_key_is_po_box_and_zip5():
    assert (
        Address(post_office_box=True, number="54", state="MN", zip="55123-1111").key
        == "PO|54|55123"
    )


# --- the components form --------------------------------------------------------------------


def test_components_and_full_street_address_of_one_address_share_a_key():
    components = {
        "number": "4321",
        "prefix": "South",
        "street": "Lexington",
        "tag": "Ave",
        "direction": "SE",
        "apt": "45",
        **BLAINE,
    }
    by_components, _ = normalize_address(components)
    assert by_components.key == key_of("4321 South Lexington Ave SE Apt 45")


def test_components_split_differently_are_re_parsed_to_one_address():
    split_oddly = {
        "number": "4321",
        "street": "S Lexington Avenue",
        "direction": "Southeast",
        "apt": "Apt 45",
        **BLAINE,
    }
    address, _ = normalize_address(split_oddly)
    assert address.key == key_of("4321 South Lexington Ave SE Apt 45")


def test_re_parsing_components_never_changes_the_house_number_or_unit():
    # "Highway 52" re-parsed could take 52 for something else; the number stays 12.
    address, _ = normalize_address({"number": "12", "street": "Highway 52", "apt": "3", **BLAINE})
    assert (address.number, address.apt) == ("12", "3")


@pytest.mark.parametrize(
    ("components", "street", "apt"),
    [
        ({"number": "100", "street": "N", "apt": "3"}, "N", "3"),  # re-parse: street "# 3"
        ({"number": "100", "street": "A", "apt": "Rear"}, "A", "REAR"),  # number "100 A"
    ],
)
def test_a_re_parse_that_would_move_the_unit_or_number_is_not_used(components, street, apt):
    address, _ = normalize_address({**components, **BLAINE})
    assert (address.number, address.street, address.apt) == ("100", street, apt)


def test_components_that_do_not_re_parse_are_normalized_one_by_one():
    address, errors = normalize_address({"number": "12", "street": "&", "tag": "Avenue", **BLAINE})
    assert errors == []
    assert (address.number, address.street, address.tag) == ("12", "&", "AVE")


def test_a_po_box_in_components_is_a_po_box():
    address, _ = normalize_address({"postOfficeBox": True, "number": "#54", **BLAINE})
    assert address.key == "PO|54|55123"
    assert address.components() == {
        "postOfficeBox": True,
        "number": "54",
        "city": "BLAINE",
        "state": "MN",
        "zip": "55123",
    }


def test_a_rural_route_in_components_matches_the_same_route_written_out():
    address, _ = normalize_address({"number": "15", "street": "Rural Route 2", **BLAINE})
    assert address.key == key_of("RR 2 Box 15")
    assert address.street_line() == "RR 2 BOX 15"


def test_an_address_round_trips_through_its_street_line():
    address, _ = normalize_address(full("4321 South Lexington Ave SE Apt 45"))
    assert address.street_line() == "4321 S LEXINGTON AVE SE # 45"
    assert key_of(address.street_line()) == address.key


# --- matching, in the guide's order ---------------------------------------------------------


class Lookups:
    """Records what was asked, like a database would be."""

    def __init__(self, by_components=None, by_key=None):
        self.by_components = by_components or {}
        self.by_key = by_key or {}
        self.asked = []

    def find_by_components(self, components):
        self.asked.append(("components", components))
        return self.by_components.get(components_lookup_key(components))

    def find_by_key(self, key):
        self.asked.append(("key", key))
        return self.by_key.get(key)

    def match(self, payload):
        return match_address(
            payload, find_by_components=self.find_by_components, find_by_key=self.find_by_key
        )


def test_an_exact_components_match_is_used_first_without_parsing():
    payload = {"number": "4321", "prefix": "South", "street": "Lexington", "tag": "Ave", **BLAINE}
    lookups = Lookups(by_components={components_lookup_key(payload): 11}, by_key={"anything": 12})
    result = lookups.match(payload)
    assert (result.how, result.address_id, result.address) == ("components", 11, None)
    assert [kind for kind, _ in lookups.asked] == ["components"]


def test_without_an_exact_match_the_components_are_re_parsed_and_matched_by_key():
    payload = {
        "number": "4321",
        "prefix": "North",
        "street": "Lexington",
        "tag": "Avenue",
        **BLAINE,
    }
    lookups = Lookups(by_key={"4321|N|LEXINGTON|AVE|||MN|55123": 12})
    result = lookups.match(payload)
    assert (result.how, result.address_id) == ("key", 12)
    assert [kind for kind, _ in lookups.asked] == ["components", "key"]


def test_a_full_street_address_is_looked_up_by_its_parsed_components_then_key():
    lookups = Lookups()
    result = lookups.match(full("4321 North Lexington Avenue"))
    assert result.how == "create"
    assert lookups.asked == [
        (
            "components",
            {
                "number": "4321",
                "prefix": "N",
                "street": "LEXINGTON",
                "tag": "AVE",
                "city": "BLAINE",
                "state": "MN",
                "zip": "55123",
            },
        ),
        ("key", "4321|N|LEXINGTON|AVE|||MN|55123"),
    ]


def test_without_any_match_the_address_is_created_from_the_parse():
    result = Lookups().match(full("4321 W 109th Ave NW"))
    assert result.how == "create"
    assert result.address.components() == {
        "number": "4321",
        "prefix": "W",
        "street": "109TH",
        "tag": "AVE",
        "direction": "NW",
        "city": "BLAINE",
        "state": "MN",
        "zip": "55123",
    }


def test_a_different_unit_at_the_same_street_address_is_a_new_address():
    existing = key_of("100 Main St Apt 4")
    result = Lookups(by_key={existing: 1}).match(full("100 Main St Apt 5"))
    assert result.how == "create"


def test_matching_accepts_plain_mappings_as_lookups():
    result = match_address(
        full("4321 N Lexington Ave"),
        find_by_components={},
        find_by_key={"4321|N|LEXINGTON|AVE|||MN|55123": "a-7"},
    )
    assert (result.how, result.address_id) == ("key", "a-7")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fullStreetAddress": "100 Main St and 2nd Ave", **BLAINE}, "home.fullStreetAddress"),
        ({"fullStreetAddress": "1 Main St", "number": "1", **BLAINE}, "home.fullStreetAddress"),
    ],
)
def test_an_invalid_address_is_not_matched_and_says_why(payload, field):
    result = match_address(payload, find_by_components={}, find_by_key={}, path="home")
    assert result.how == "invalid"
    assert [error.field for error in result.errors] == [field]
