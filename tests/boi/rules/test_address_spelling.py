"""An address's spelling: the street line as HR wrote it, one definition for every stage."""

import pytest

from boi.rules.addresses import normalize_address, street_spelling

BLAINE = {"city": "Blaine", "state": "MN", "zip": "55123"}


@pytest.mark.parametrize(
    ("address", "spelling"),
    [
        # the post-directional is part of the street line, as Campus assembles it
        (
            {"number": "4321", "street": "Lexington", "tag": "Ave", "direction": "NE"},
            "4321 Lexington Ave NE",
        ),
        (
            {
                "number": "4321",
                "prefix": "S",
                "street": "Lexington",
                "tag": "Ave",
                "direction": "Southeast",
                "apt": "Apt 45",
            },
            "4321 S Lexington Ave Southeast Apt 45",
        ),
        # blank components leave no gap
        ({"number": "12", "prefix": "", "street": "Main", "tag": "St"}, "12 Main St"),
        # the full form is its line, as written (not normalized)
        ({"fullStreetAddress": " 4321 North  Lexington Avenue "}, "4321 North Lexington Avenue"),
        # the place is not part of the street line
        ({"number": "7", "street": "Elm", **BLAINE}, "7 Elm"),
        ({"postOfficeBox": True, "number": "54", **BLAINE}, "54"),
        ({}, ""),
    ],
)
def test_the_spelling_is_the_street_line_in_campus_component_order(address, spelling):
    assert street_spelling(address) == spelling


def test_two_spellings_of_one_address_stay_two_spellings_with_one_key():
    one = {"number": "4321", "street": "Lexington", "tag": "Avenue", "direction": "Northeast"}
    other = {"number": "4321", "street": "Lexington", "tag": "Ave", "direction": "NE"}
    assert street_spelling(one) != street_spelling(other)
    assert (
        normalize_address({**one, **BLAINE})[0].key == normalize_address({**other, **BLAINE})[0].key
    )
