"""The USPS Publication 28 tables, and the error shape."""

import pytest

from boi.rules import pub28
from boi.rules.errors import RuleError, errors_body, join_path


@pytest.mark.parametrize(
    ("spelling", "standard"),
    [
        ("AVENUE", "AVE"),
        ("AV", "AVE"),
        ("AVEN", "AVE"),
        ("AVENU", "AVE"),
        ("AVN", "AVE"),
        ("AVNUE", "AVE"),
        ("STREET", "ST"),
        ("STR", "ST"),
        ("STRT", "ST"),
        ("BOULEVARD", "BLVD"),
        ("BOUL", "BLVD"),
        ("PARKWAY", "PKWY"),
        ("PKY", "PKWY"),
        ("CIRCLE", "CIR"),
        ("CRCL", "CIR"),
        ("HIGHWAY", "HWY"),
        ("GARDENS", "GDNS"),
        ("TERRACE", "TER"),
        ("CROSSING", "XING"),
        ("EXPRESSWAY", "EXPY"),
        ("TRAIL", "TRL"),
    ],
)
def test_street_suffix_spellings_map_to_the_usps_standard(spelling, standard):
    assert pub28.STREET_SUFFIXES[spelling] == standard


def test_the_suffix_table_covers_the_usps_primary_names():
    assert len(pub28.SUFFIX_FULL_NAMES) >= 190
    for standard, full_name in pub28.SUFFIX_FULL_NAMES.items():
        assert pub28.STREET_SUFFIXES[standard] == standard
        assert pub28.STREET_SUFFIXES[full_name] == standard


def test_no_spelling_belongs_to_two_suffixes():
    owners = {}
    for line in pub28._C1.strip().splitlines():
        names, _, others = line.partition(":")
        primary, _, standard = (part.strip() for part in names.partition("="))
        for spelling in (primary, standard, *others.split()):
            assert owners.setdefault(spelling, standard) == standard, spelling


@pytest.mark.parametrize(
    ("spelling", "standard"),
    [("NORTH", "N"), ("NORTHWEST", "NW"), ("SOUTHEAST", "SE"), ("WEST", "W"), ("NE", "NE")],
)
def test_directionals_map_to_one_or_two_letters(spelling, standard):
    assert pub28.DIRECTIONALS[spelling] == standard


@pytest.mark.parametrize(
    ("spelling", "standard"),
    [
        ("APARTMENT", "APT"),
        ("SUITE", "STE"),
        ("BUILDING", "BLDG"),
        ("FLOOR", "FL"),
        ("ROOM", "RM"),
        ("SPACE", "SPC"),
        ("TRAILER", "TRLR"),
        ("BASEMENT", "BSMT"),
        ("PENTHOUSE", "PH"),
        ("UPPER", "UPPR"),
    ],
)
def test_unit_designators_map_to_the_usps_standard(spelling, standard):
    assert pub28.UNIT_DESIGNATORS[spelling] == standard


def test_rule_errors_become_the_boi_error_body():
    errors = [RuleError("positions[0].schoolNumber", "not_found", "no such school")]
    assert errors_body(errors) == {
        "errors": [
            {"field": "positions[0].schoolNumber", "code": "not_found", "message": "no such school"}
        ]
    }


@pytest.mark.parametrize(
    ("prefix", "name", "path"),
    [
        ("", "ssn", "ssn"),
        ("household", "householdLocations[0]", "household.householdLocations[0]"),
        ("positions", "[2]", "positions[2]"),
        ("address", "", "address"),
    ],
)
def test_field_paths_join_like_the_payload(prefix, name, path):
    assert join_path(prefix, name) == path
