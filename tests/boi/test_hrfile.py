"""The HR file reader and row check: pure, no database."""

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boi.hrfile.column_map import suggest_column_map
from boi.hrfile.csv_records import iter_csv
from boi.hrfile.json_records import flatten_json_record, iter_json
from boi.hrfile.reading import EncodingSniffer, FileProblem, iter_text
from boi.hrfile.resolver import JobMapping, Resolver
from boi.hrfile.rows import build_row
from boi.hrfile.template import TEMPLATE_NAMES
from boi.rules.staff import Mappings, mask_ssns

RESOLVER_ARGS = dict(
    locations={"HS1": "030"},
    sexes={"1": "M", "2": "F"},
    jobs={"TCH": JobMapping("20", "T100", "Teacher")},
)


def resolver():
    return Resolver(
        **RESOLVER_ARGS, mappings=Mappings({"M", "F"}, {"010", "030"}, {"20"}, {"T100"})
    )


def problems(record):
    return [(p.column, p.code) for p in build_row(record, resolver()).problems]


BASE = {"staff_number": "E1", "last_name": "Ng", "first_name": "Ana", "sex": "2"}


def test_a_complete_row_becomes_the_boi_staff_object():
    built = build_row(
        {
            **BASE,
            "birth_date": "8/19/1980",
            "hire_date": "2020-08-01",
            "location": "HS1",
            "job_code": "TCH",
            "position_start_date": "2020-08-01",
            "ssn": "123-45-6789",
            "address_full": "4321 North Lexington Avenue",
            "address_city": "Blaine",
            "address_state": "MN",
            "address_zip": "55123",
        },
        resolver(),
    )
    assert built.problems == []
    assert built.payload["gender"] == "F"
    assert built.payload["birthDate"] == "1980-08-19"
    assert built.payload["positions"] == [
        {
            "schoolNumber": "030",
            "assignmentCode": "20",
            "titleCode": "T100",
            "titleDescription": "Teacher",
            "startDate": "2020-08-01",
        }
    ]
    assert "ssn" not in built.payload and built.ssn == "123-45-6789"
    assert built.address_key == "4321|N|LEXINGTON|AVE|||MN|55123"


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"last_name": ""}, ("last_name", "required")),
        ({"birth_date": "1980-02-30"}, ("birth_date", "invalid")),
        ({"hire_date": "yesterday"}, ("hire_date", "invalid")),
        ({"sex": "9"}, ("sex", "unmapped")),
        (
            {"location": "NOPE", "job_code": "TCH", "position_start_date": "2020-01-01"},
            ("location", "unmapped"),
        ),
        (
            {"location": "HS1", "job_code": "JANITOR", "position_start_date": "2020-01-01"},
            ("job_code", "unmapped"),
        ),
        ({"location": "HS1", "job_code": "TCH"}, ("position_start_date", "required")),
        ({"ssn": "12345"}, ("ssn", "invalid")),
        ({"work_email": "not-an-address"}, ("work_email", "invalid")),
        (
            {
                "address_full": "1 Main St",
                "address_number": "1",
                "address_city": "Blaine",
                "address_state": "MN",
                "address_zip": "55123",
            },
            ("address_full", "conflict"),
        ),
        (
            {
                "address_po_box": "true",
                "address_number": "54",
                "address_street": "Main",
                "address_city": "Blaine",
                "address_state": "MN",
                "address_zip": "55123",
            },
            ("address_street", "conflict"),
        ),
        (
            {
                "address_full": "1 Main St",
                "address_city": "Blaine",
                "address_state": "MN",
                "address_zip": "5512",
            },
            ("address_zip", "invalid"),
        ),
    ],
)
def test_each_bad_cell_is_named_by_column_and_problem(extra, expected):
    assert expected in problems({**BASE, **extra})


def test_messages_use_the_files_own_column_names():
    record = {**BASE, "sex": "9", "__columns__": {"sex": "Gender Code"}}
    [problem] = build_row(record, resolver()).problems
    assert problem.column == "Gender Code"
    assert "'9'" in problem.message


def test_a_value_already_on_campus_needs_no_mapping():
    assert (
        problems(
            {
                **BASE,
                "sex": "M",
                "location": "010",
                "job_code": "20",
                "position_start_date": "2021-01-01",
            }
        )
        == []
    )


def test_headers_are_mapped_automatically_when_they_alias_the_template():
    mapping = suggest_column_map(["Employee ID", "Last Name", "DOB", "Zip Code", "Other"])
    assert mapping == {
        "Employee ID": "staff_number",
        "Last Name": "last_name",
        "DOB": "birth_date",
        "Zip Code": "address_zip",
    }


@pytest.mark.parametrize(
    "data, encoding",
    [
        (codecs.BOM_UTF8 + "staff_number\nÅsa\n".encode(), "utf-8-sig"),
        ("staff_number\nÅsa\n".encode(), "utf-8"),
        ("staff_number\nÅsa\n".encode("cp1252"), "cp1252"),
    ],
)
def test_the_encoding_is_utf8_with_or_without_bom_else_windows_1252(data, encoding):
    sniffer = EncodingSniffer()
    for i in range(0, len(data), 3):  # in small chunks: a character may straddle two
        sniffer.feed(data[i : i + 3])
    sniffer.feed(b"", final=True)
    assert sniffer.encoding == encoding
    rows = list(iter_csv(iter_text([data], encoding)))
    assert rows[0] == ["staff_number"] and rows[1][1]["staff_number"] == "Åsa"


def test_csv_with_semicolons_and_quoted_newlines_is_read():
    text = 'staff_number;last_name\n"E1";"Ng\nPark"\nE2;Lee\n'
    rows = list(iter_csv([text]))
    assert rows[1] == (3, {"staff_number": "E1", "last_name": "Ng\nPark"})
    assert rows[2] == (4, {"staff_number": "E2", "last_name": "Lee"})


@pytest.mark.parametrize(
    "text",
    [
        '[{"staff_number": "E1"}, {"staff_number": "E2"}]',
        '{"staff": [{"staff_number": "E1"},\n {"staff_number": "E2"}]}',
        '{"staff_number": "E1"}\n{"staff_number": "E2"}\n',
    ],
)
def test_json_arrays_wrapped_arrays_and_lines_are_read_one_object_at_a_time(text):
    chunks = [text[i : i + 5] for i in range(0, len(text), 5)]
    assert [r["staff_number"] for _, r in iter_json(chunks)] == ["E1", "E2"]


@pytest.mark.parametrize("text", ["[1, 2]", '[{"a": 1}', '"hello"', '[{"a": }]'])
def test_broken_json_is_a_file_problem(text):
    with pytest.raises(FileProblem):
        list(iter_json([text]))


def test_nested_json_positions_and_employments_become_numbered_columns():
    flat = flatten_json_record(
        {
            "staff_number": "E1",
            "employments": [{"hire_date": "2001-01-01"}, {"hire_date": "2010-01-01"}],
            "positions": [{"location": "HS1", "job_code": "TCH", "start_date": "2010-01-01"}],
        }
    )
    assert flat["hire_date_2"] == "2010-01-01" and flat["position_start_date"] == "2010-01-01"


def test_ssns_are_masked_everywhere_in_a_payload():
    masked = mask_ssns([{"ssn": "123-45-6789", "x": {"ssn": "987654321"}}])
    assert masked == [{"ssn": "***-**-6789", "x": {"ssn": "***-**-4321"}}]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_either_read_as_csv_or_raise_a_file_problem(data):
    sniffer = EncodingSniffer()
    sniffer.feed(data, final=True)
    try:
        for item in iter_csv(iter_text([data], sniffer.encoding)):
            if isinstance(item, tuple):
                build_row(item[1], resolver())
    except FileProblem:
        pass


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_either_reads_as_json_records_or_raises_a_file_problem(text):
    try:
        for _, record in iter_json([text]):
            build_row(flatten_json_record(record), resolver())
    except FileProblem:
        pass


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(TEMPLATE_NAMES)), st.text(max_size=40)))
def test_any_row_gives_problems_with_a_column_and_a_message(record):
    built = build_row(record, resolver())
    for problem in built.problems:
        assert problem.message and problem.code
    assert "ssn" not in built.payload


def test_a_missing_required_cell_is_named_in_words_with_its_column():
    built = build_row({**BASE, "last_name": ""}, resolver())
    assert [p.message for p in built.problems] == ["Last name is missing (column last_name)"]
