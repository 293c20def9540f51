"""The OneRoster filter grammar, without a database."""

from datetime import UTC, datetime

import pytest

from sandbox.oneroster.filters import Filter, FilterError, Predicate, matcher, parse_filter


@pytest.mark.parametrize(
    "text,expected",
    [
        ("givenName='Ann'", Filter((Predicate("givenName", "=", "Ann"),))),
        (
            "dateLastModified>'2026-01-01T00:00:00Z'",
            Filter((Predicate("dateLastModified", ">", "2026-01-01T00:00:00Z"),)),
        ),
        ("sourcedId!='12'", Filter((Predicate("sourcedId", "!=", "12"),))),
        ("sourcedId>='12'", Filter((Predicate("sourcedId", ">=", "12"),))),
        ("sourcedId<='12'", Filter((Predicate("sourcedId", "<=", "12"),))),
        ("sourcedId<'12'", Filter((Predicate("sourcedId", "<", "12"),))),
        ("familyName~'son'", Filter((Predicate("familyName", "~", "son"),))),
        ("  role = 'teacher'  ", Filter((Predicate("role", "=", "teacher"),))),
        ("familyName='O''Brien'", Filter((Predicate("familyName", "=", "O'Brien"),))),
        ("email='a AND b'", Filter((Predicate("email", "=", "a AND b"),))),
        ("givenName=''", Filter((Predicate("givenName", "=", ""),))),
        (
            "role='teacher' AND dateLastModified>'2026-01-01'",
            Filter(
                (
                    Predicate("role", "=", "teacher"),
                    Predicate("dateLastModified", ">", "2026-01-01"),
                ),
                "AND",
            ),
        ),
        (
            "role='aide' OR role='teacher'",
            Filter((Predicate("role", "=", "aide"), Predicate("role", "=", "teacher")), "OR"),
        ),
        (
            "role='aide' or role='teacher'",
            Filter((Predicate("role", "=", "aide"), Predicate("role", "=", "teacher")), "OR"),
        ),
        ("userIds.identifier='9'", Filter((Predicate("userIds.identifier", "=", "9"),))),
    ],
)
def test_it_parses_the_filters_oneroster_allows(text, expected):
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "givenName",
        "givenName=",
        "givenName=Ann",
        "givenName='Ann",
        "='Ann'",
        "givenName=='Ann'",
        "givenName<>'Ann'",
        "a='1' AND",
        "a='1' AND b='2' AND c='3'",
        "a='1' OR b='2' OR c='3'",
        "a='1' XOR b='2'",
        "a='1'AND b='2'",
        "a='1' b='2'",
        "1abc='x'",
        "a='1'; DROP TABLE x",
        "x" * 3000,
    ],
)
def test_it_refuses_malformed_filters_as_invalid_filter_field(text):
    with pytest.raises(FilterError) as exc:
        parse_filter(text)
    assert exc.value.code == "invalid_filter_field"


def test_it_refuses_a_field_outside_the_allowed_ones_and_names_it():
    with pytest.raises(FilterError) as exc:
        parse_filter("shoeSize='9' AND role='teacher'", allowed_fields={"role"})
    assert exc.value.field == "shoeSize"
    assert "shoeSize" in str(exc.value)


RECORDS = [
    {"name": "Lincoln Elementary", "type": "school", "modified": datetime(2026, 1, 5, tzinfo=UTC)},
    {"name": "Adams Middle School", "type": "school", "modified": datetime(2025, 6, 1, tzinfo=UTC)},
    {
        "name": "Rum River District",
        "type": "district",
        "modified": datetime(2024, 1, 1, tzinfo=UTC),
    },
]
GETTERS = {
    "name": lambda r: r["name"],
    "type": lambda r: r["type"],
    "dateLastModified": lambda r: r["modified"],
}


def _convert(field, value):
    if field == "dateLastModified":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


@pytest.mark.parametrize(
    "text,names",
    [
        ("type='school'", ["Lincoln Elementary", "Adams Middle School"]),
        ("type!='school'", ["Rum River District"]),
        ("name~'middle'", ["Adams Middle School"]),
        ("dateLastModified>'2025-01-01T00:00:00Z'", ["Lincoln Elementary", "Adams Middle School"]),
        ("dateLastModified<='2024-01-01T00:00:00Z'", ["Rum River District"]),
        ("type='school' AND name~'lin'", ["Lincoln Elementary"]),
        ("type='district' OR name~'adams'", ["Adams Middle School", "Rum River District"]),
        ("name>'B'", ["Lincoln Elementary", "Rum River District"]),
    ],
)
def test_matcher_applies_a_filter_to_plain_records(text, names):
    test = matcher(parse_filter(text), GETTERS, _convert)
    assert [r["name"] for r in RECORDS if test(r)] == names


def test_matcher_refuses_a_field_it_has_no_getter_for():
    with pytest.raises(FilterError):
        matcher(parse_filter("identifier='1'"), GETTERS)
