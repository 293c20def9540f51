"""OneRoster paging, sort, field selection, dates and errors, without a database."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from sandbox.oneroster.protocol import (
    OneRosterError,
    Page,
    format_datetime,
    link_header,
    parse_datetime,
    parse_fields,
    parse_paging,
    parse_sort,
    select_fields,
    status_info,
)


def _links(header: str) -> dict[str, dict]:
    links = {}
    for part in header.split(", "):
        url, rel = part.split("; ")
        query = parse_qs(urlparse(url.strip("<>")).query)
        links[rel.split('"')[1]] = {k: v[0] for k, v in query.items()}
    return links


@pytest.mark.parametrize(
    "offset,total,expected",
    [
        (0, 2500, {"first": "0", "next": "1000", "last": "2000"}),
        (1000, 2500, {"first": "0", "prev": "0", "next": "2000", "last": "2000"}),
        (2000, 2500, {"first": "0", "prev": "1000", "last": "2000"}),
        (0, 1000, {"first": "0", "last": "0"}),
        (0, 0, {"first": "0", "last": "0"}),
        (500, 2500, {"first": "0", "prev": "0", "next": "1500", "last": "2000"}),
        (9000, 2500, {"first": "0", "prev": "2000", "last": "2000"}),
    ],
)
def test_link_header_names_first_prev_next_and_last_pages(offset, total, expected):
    header = link_header(
        "http://x/users", {"filter": "role='teacher'", "offset": "9"}, Page(1000, offset), total
    )
    links = _links(header)
    assert {rel: q["offset"] for rel, q in links.items()} == expected
    for query in links.values():
        assert query["limit"] == "1000"
        assert query["filter"] == "role='teacher'"


@pytest.mark.parametrize(
    "params,expected",
    [({}, Page(100, 0)), ({"limit": "1000", "offset": "2000"}, Page(1000, 2000))],
)
def test_paging_defaults_and_values(params, expected):
    assert parse_paging(params, max_limit=5000) == expected


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "-1"}, {"limit": "abc"}, {"offset": "-5"}, {"limit": "5001"}],
)
def test_paging_refuses_bad_values(params):
    with pytest.raises(OneRosterError) as exc:
        parse_paging(params, max_limit=5000)
    assert exc.value.status == 400
    assert exc.value.code_minor == "invaliddata"


def test_sort_accepts_known_fields_and_order():
    sort = parse_sort({"sort": "familyName", "orderBy": "desc"}, ["familyName"])
    assert (sort.field, sort.descending) == ("familyName", True)
    assert parse_sort({}, ["familyName"]) is None


@pytest.mark.parametrize(
    "params,code",
    [
        ({"sort": "shoeSize"}, "invalid_sort_field"),
        ({"sort": "familyName", "orderBy": "up"}, "invaliddata"),
    ],
)
def test_sort_refuses_unknown_fields_and_orders(params, code):
    with pytest.raises(OneRosterError) as exc:
        parse_sort(params, ["familyName"])
    assert exc.value.code_minor == code


def test_fields_select_a_subset_and_refuse_unknown_ones():
    fields = parse_fields({"fields": "sourcedId, givenName"}, ["sourcedId", "givenName", "email"])
    assert select_fields({"sourcedId": "1", "givenName": "A", "email": "e"}, fields) == {
        "sourcedId": "1",
        "givenName": "A",
    }
    with pytest.raises(OneRosterError) as exc:
        parse_fields({"fields": "sourcedId,ssn"}, ["sourcedId"])
    assert exc.value.code_minor == "invalid_selection_field"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00.000Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T06:00:00-06:00", datetime(2026, 1, 1, 12, tzinfo=UTC)),
        ("2026-01-01T00:00:00", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_dates_in_filters_are_iso_8601_and_utc_by_default(text, expected):
    assert parse_datetime(text) == expected


def test_date_times_are_written_in_utc_with_milliseconds():
    assert format_datetime(datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)) == (
        "2026-03-04T05:06:07.891Z"
    )


def test_status_info_has_the_imsx_shape():
    info = status_info("invalid_filter_field", "bad")
    assert info["imsx_codeMajor"] == "failure"
    assert info["imsx_severity"] == "error"
    assert info["imsx_description"] == "bad"
    field = info["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "invalid_filter_field"
