"""The automatic column mapping against header rows as district HR systems write them."""

import pytest

from boi.hrfile.column_map import suggest_column_map
from boi.hrfile.header_names import SYNONYMS, header_key
from boi.hrfile.template import TEMPLATE_NAMES
from tests.boi.data.hr_headers import HEADER_ROWS


def _score(rows):
    right = wanted = wrong_extra = 0
    for headers in rows:
        mapping = suggest_column_map(h for h, _ in headers)
        for header, target in headers:
            if target is None:
                wrong_extra += header in mapping
            else:
                wanted += 1
                right += mapping.get(header) == target
    return right, wanted, wrong_extra


@pytest.mark.parametrize("system", sorted(HEADER_ROWS))
def test_each_export_layout_gets_nine_in_ten_of_its_columns_suggested(system):
    right, wanted, wrong_extra = _score([HEADER_ROWS[system]])
    assert right / wanted >= 0.9, f"{system}: {right} of {wanted}"
    assert wrong_extra == 0


def test_the_whole_corpus_gets_nine_in_ten_right_and_suggests_nothing_for_pay_or_fte():
    right, wanted, wrong_extra = _score(HEADER_ROWS.values())
    assert wanted >= 110
    assert right / wanted >= 0.9
    assert wrong_extra == 0


@pytest.mark.parametrize(
    "header, key",
    [
        ("Emp #", "employee number"),
        ("EMP_NO", "employee number"),
        ("EmpNo", "employee number"),
        ("LName", "last name"),
        ("Orig Hire Dt", "original hire date"),
        ("Zip+4", "zip plus 4"),
        ("E-mail", "email"),
        ("Addr1", "address 1"),
    ],
)
def test_header_spellings_reduce_to_the_same_words(header, key):
    assert header_key(header) == key


def test_every_synonym_names_a_template_column():
    assert set(SYNONYMS) <= TEMPLATE_NAMES


def test_a_column_is_suggested_once_for_the_first_header_that_names_it():
    mapping = suggest_column_map(["Zip", "Zip+4", "Employee ID", "Emp #"])
    assert mapping == {"Zip": "address_zip", "Employee ID": "staff_number"}


def test_numbered_headers_past_the_template_repeats_are_suggested_too():
    # No limit of 3 positions: a wide file's fourth and ninth go where the reader takes them.
    assert suggest_column_map(["Location 9", "Job Code 4"]) == {
        "Location 9": "location_9",
        "Job Code 4": "job_code_4",
    }
