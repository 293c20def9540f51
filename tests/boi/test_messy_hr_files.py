"""HR files as people actually upload them, through the console's upload page.

Each file is posted to the real upload view; a refused one must say why in the operator's
words (the line or row and the column), leave nothing staged (no import, no rows, no
stored file) and show no stack trace; an accepted one is checked row by row. No SSN is
ever on a page or in the logs.
"""

import io
import logging
import re
import zipfile
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from boi import storage
from boi.models import HrImport, HrRow
from tests.boi.conftest import HEADER, good_row, hr_csv

SSN_SHAPED = re.compile(r"(?<![\d-])(?:\d{3}-\d{2}-\d{4}|\d{9})(?![\d-])")


def _post(client, connection, data: bytes, name: str):
    return client.post(
        f"/boi/connections/{connection.id}/import/",
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )


@pytest.fixture
def operator(login, hr_operator):
    return login(hr_operator)


def _refusal(operator, connection, data: bytes, name: str = "staff.csv") -> str:
    """The page after a refused upload: nothing staged, the file not kept, no trace."""
    kept = set(storage.upload_dir().iterdir())
    response = _post(operator, connection, data, name)
    page = response.content.decode()
    assert response.status_code == 200 and "Traceback" not in page
    assert not HrImport.objects.exists() and not HrRow.objects.exists()
    assert set(storage.upload_dir().iterdir()) == kept
    return page


def _checked(operator, connection, data: bytes, name: str, capture) -> HrImport:
    """Upload ``data`` and check it with the columns the console suggests."""
    response = _post(operator, connection, data, name)
    assert response.status_code == 200, response.content
    hr_import = HrImport.objects.latest("id")
    chosen = {f"col_{i}": hr_import.column_map.get(h, "") for i, h in enumerate(hr_import.headers)}
    with capture(execute=True):
        operator.post(f"/boi/imports/{hr_import.id}/columns/", chosen)
    hr_import.refresh_from_db()
    return hr_import


@pytest.fixture
def checked(operator, ready_connection, django_capture_on_commit_callbacks):
    def _check(data: bytes, name: str = "staff.csv") -> HrImport:
        return _checked(operator, ready_connection, data, name, django_capture_on_commit_callbacks)

    return _check


def _errors(hr_import: HrImport) -> dict[str, list[tuple[str, str]]]:
    rows = HrRow.objects.filter(hr_import=hr_import).order_by("row_number")
    return {r.staff_number: [(e["column"], e["message"]) for e in r.errors] for r in rows}


# --- refused files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "staff.csv", "the file is empty"),
        (HEADER.encode(), "staff.csv", "a header line but no staff rows"),
        (b"staff_number,last_name,last_name\nE1,a,b\n", "staff.csv", "a column twice: last_name"),
        (bytes(range(256)) * 40, "staff.csv", "This is not a text file"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200), "staff.csv", "not a text file"),
        (b"PK\x03\x04" + bytes(60), "staff.ods", "OpenDocument spreadsheet (.ods)"),
        (b"PK\x03\x04" + bytes(60), "staff.numbers", "Apple Numbers spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "staff.xls", "old-style .xls"),
        (b"\r\n<html><table><tr><td>staff_number</td></tr>", "staff.xls", "a web page (HTML"),
        (b"[" * 5000 + b"]" * 5000, "staff.json", "Record 1 is nested too deeply"),
        (b'[{"staff_number": "E1"}, 5]', "staff.json", "Record 2: a staff record must be"),
    ],
    ids=[
        "empty",
        "header-only",
        "duplicate-columns",
        "binary",
        "png",
        "ods",
        "numbers",
        "xls",
        "html-as-xls",
        "json-nested-deep",
        "json-not-objects",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_words_and_nothing_is_staged(
    operator, ready_connection, data, name, words
):
    page = _refusal(operator, ready_connection, data, name)
    assert words in page
    if name.endswith((".ods", ".numbers")):
        assert "Excel workbook (.xlsx) or as CSV" in page


def test_a_zip_that_is_not_a_workbook_says_which_formats_work(operator, ready_connection):
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    page = _refusal(operator, ready_connection, book.getvalue(), "staff.xlsx")
    assert "This is not an Excel workbook" in page and "JSON files" in page


def test_a_ten_megabyte_line_is_refused_naming_the_line(operator, ready_connection):
    data = HEADER.encode() + b"E1," + b"x" * (10 * 1024 * 1024 + 1) + b"\n"
    page = _refusal(operator, ready_connection, data)
    assert "Line 2 is longer than 100,000 characters" in page
    page = _refusal(operator, ready_connection, b"staff_number," + b"x" * (10 * 1024 * 1024))
    assert "Line 1 is longer" in page
    assert "field limit" not in page


def test_a_quote_left_open_fails_the_check_naming_the_line_where_it_began(checked):
    rows = [good_row(n) for n in range(1, 4000)]
    rows[1] = rows[1].replace(",Ng,", ',"Ng,')
    hr_import = checked(hr_csv(rows))
    assert hr_import.status == HrImport.Status.FAILED
    assert hr_import.problem.startswith("Line 3: a cell is longer than 100,000 characters")
    assert not HrRow.objects.filter(hr_import=hr_import).exists()


# --- encodings and separators ------------------------------------------------------------


def test_excel_unicode_text_utf16_tab_separated_is_read(checked):
    text = hr_csv([good_row(1, last="Núñez"), good_row(2)]).decode().replace(",", "\t")
    hr_import = checked(text.replace("\n", "\r\n").encode("utf-16"), "staff.txt")
    assert hr_import.encoding == "utf-16" and hr_import.headers[0] == "staff_number"
    assert hr_import.status == HrImport.Status.CHECKED
    assert _errors(hr_import) == {"E00001": [], "E00002": []}
    assert HrRow.objects.get(staff_number="E00001").last_name == "Núñez"


def test_windows_1252_smart_quotes_and_accents_are_kept(checked):
    rows = [good_row(1, last="O’Brien-Muñoz"), good_row(2, last="Renée", address="12 Main St")]
    hr_import = checked(hr_csv(rows).decode().encode("cp1252"))
    assert hr_import.encoding == "cp1252"
    assert sorted(HrRow.objects.values_list("last_name", flat=True)) == ["O’Brien-Muñoz", "Renée"]


def test_crlf_a_trailing_blank_line_and_a_trailing_comma_column_are_fine(checked):
    lines = [HEADER.rstrip("\n"), good_row(1), good_row(2)]
    hr_import = checked(("".join(f"{line},\r\n" for line in lines) + "\r\n").encode())
    assert hr_import.headers[-1] == "address_zip"  # the empty column is not offered
    assert _errors(hr_import) == {"E00001": [], "E00002": []}


def test_semicolon_separated_csv_from_european_excel_is_read(checked):
    hr_import = checked(hr_csv([good_row(1), good_row(2)]).decode().replace(",", ";").encode())
    assert _errors(hr_import) == {"E00001": [], "E00002": []}


# --- cells -----------------------------------------------------------------------------------


def test_ssns_in_every_shape_are_checked_and_never_shown_or_logged(checked, operator, caplog):
    caplog.set_level(logging.DEBUG)
    ssns = ["123456789", "123-45-6789", "", "N/A", "***-**-6789", "12-345-678"]
    rows = [good_row(n + 1).replace(f"123-45-{n + 1:04d}", ssn) for n, ssn in enumerate(ssns)]
    # an unquoted comma in a name shifts the SSN into the birth date column
    rows.append(good_row(7, last="Whitfield, Jr.").replace("123-45-0007", "987-65-4321"))
    hr_import = checked(hr_csv(rows))
    errors = _errors(hr_import)
    assert errors["E00001"] == errors["E00002"] == errors["E00003"] == []
    assert errors["E00004"] == [
        ("ssn", "'N/A' is not an SSN: leave the cell blank when there is none")
    ]
    assert errors["E00005"] == [
        (
            "ssn",
            "the SSN is masked in the file: export it with full "
            "SSNs, or set this column to “ignore” so Campus keeps the SSNs it has",
        )
    ]
    assert errors["E00006"] == [
        ("ssn", "ssn must be nine digits, written NNN-NN-NNNN or NNNNNNNNN")
    ]
    assert ("birth_date", "'***-**-4321' is not a date (write YYYY-MM-DD or MM/DD/YYYY)") in (
        errors["E00007"]
    )
    pages = [operator.get(f"/boi/imports/{hr_import.id}/?show=all").content.decode()]
    pages += [
        operator.get(f"/boi/imports/{hr_import.id}/rows/{row.id}/").content.decode()
        for row in HrRow.objects.filter(hr_import=hr_import)
    ]
    pages.append(operator.get(f"/boi/imports/{hr_import.id}/errors.csv").content.decode())
    for page in pages:
        assert not SSN_SHAPED.findall(re.sub(r"<[^>]*>", " ", page))
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for ssn in ("123456789", "123-45-6789", "987-65-4321", "987654321"):
        assert ssn not in logged


def test_dates_that_are_not_dates_say_what_to_write(checked):
    dates = ["2/30/2024", "13/01/2024", "01/02/24", "8/1/1980 0:00"]
    rows = [good_row(n + 1).replace(f"1980-01-0{2 + n}", d) for n, d in enumerate(dates)]
    errors = _errors(checked(hr_csv(rows)))
    assert errors["E00001"] == [
        ("birth_date", "'2/30/2024' is not a date (write YYYY-MM-DD or MM/DD/YYYY)")
    ]
    assert "the month comes first" in errors["E00002"][0][1]
    assert "the year has two digits" in errors["E00003"][0][1]
    assert errors["E00004"] == []  # Excel's date with its midnight time
    assert HrRow.objects.get(staff_number="E00004").birth_date == "1980-08-01"


def test_names_with_apostrophes_hyphens_one_letter_and_eighty_characters_are_fine(
    checked, operator
):
    names = ["O'Brien", "Smith-Jones", "X", "A" * 80, "B" * 101]
    rows = [good_row(n + 1, last=name) for n, name in enumerate(names)]
    hr_import = checked(hr_csv(rows))
    errors = _errors(hr_import)
    for url in (f"/boi/imports/{hr_import.id}/", f"/boi/imports/{hr_import.id}/errors.csv"):
        page = operator.get(url).content.decode()
        assert "Last name is 101 characters long: Campus holds at most 100" in page
    assert [errors[f"E0000{n}"] for n in range(1, 5)] == [[], [], [], []]
    assert errors["E00005"] == [
        ("last_name", "lastName is 101 characters long: Campus holds at most 100")
    ]


def test_a_staff_member_twice_with_conflicting_data_is_an_error_on_both_rows(checked):
    errors = _errors(checked(hr_csv([good_row(1), good_row(1, last="Other")])))
    assert all("also on row(s)" in message for rows in errors.values() for _, message in rows)


def test_a_staff_number_longer_than_campus_holds_is_an_error(checked):
    errors = _errors(checked(hr_csv([good_row(1).replace("E00001", "E" + "1" * 20)])))
    assert errors["E" + "1" * 20] == [
        ("staff_number", "staffNumber is 21 characters long: Campus holds at most 20")
    ]


# --- Excel workbooks ---------------------------------------------------------------------


def _book(build) -> bytes:
    book = Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _staff_sheet(sheet) -> None:
    sheet.append(HEADER.strip().split(","))
    for n in (1, 2):
        sheet.append(good_row(n).split(","))


def test_a_hidden_sheet_before_the_staff_sheet_is_passed_over(checked):
    def build(book):
        lookup = book.active
        lookup.title = "Codes"
        lookup.append(["code", "meaning"])
        lookup.sheet_state = "hidden"
        _staff_sheet(book.create_sheet("Staff"))

    hr_import = checked(_book(build), "staff.xlsx")
    assert hr_import.headers[0] == "staff_number"
    assert _errors(hr_import) == {"E00001": [], "E00002": []}


def test_numbers_dates_and_merged_headers_in_a_workbook_are_read_as_excel_shows_them(checked):
    def build(book):
        sheet = book.active
        sheet.append(HEADER.strip().split(","))
        sheet.append(
            [123, "Ng", "Ana", "F", "", datetime(1980, 1, 2), 45292, "HS1", "TCH", "8/1/2020"]
            + ["1 Main St", "Boston", "MA", 2134]
        )
        sheet["A2"].number_format = "000000"  # a staff number Excel shows as 000123
        sheet["E2"] = 12345678  # Excel's "Social Security Number" format: 012-34-5678
        sheet["E2"].number_format = "000\\-00\\-0000"
        sheet["M1"] = None  # the state's header cell merged into the city's
        sheet.merge_cells("L1:M1")

    hr_import = checked(_book(build), "staff.xlsx")
    assert "Column M" in hr_import.headers  # offered for mapping, by its letter
    row = HrRow.objects.get(hr_import=hr_import)
    assert row.staff_number == "000123"
    assert row.ssn.reveal() == "012-34-5678"
    # the state's column is Column M until the operator maps it: the only problem
    assert [e["message"] for e in row.errors] == ["state is required"]
    assert row.payload["employments"] == [{"hireDate": "2024-01-01"}]  # 45292, as a number
    assert row.payload["positions"][0]["startDate"] == "2020-08-01"  # a date typed as text
    assert row.payload["household"]["householdLocations"][0]["address"]["zip"] == "02134"


# --- a sync running ------------------------------------------------------------------------


def test_an_upload_while_a_sync_runs_is_staged_and_its_sync_waits_in_words(
    checked, operator, ready_connection
):
    from boi.models import SyncRun

    earlier = checked(hr_csv([good_row(1)]))
    SyncRun.objects.create(
        connection=ready_connection, hr_import=earlier, job=SyncRun.Job.RUNNING, staff_count=1
    )
    later = checked(hr_csv([good_row(2)]), "later.csv")
    assert later.status == HrImport.Status.CHECKED and later.row_count == 1
    page = operator.post(f"/boi/imports/{later.id}/sync/", follow=True).content.decode()
    assert "is running: wait until it is done" in page
    assert SyncRun.objects.count() == 1


def test_a_refused_file_keeps_the_mapping_profile_chosen(checked, operator, ready_connection):
    from boi.services.profiles import profile_save

    profile = profile_save(hr_import=checked(hr_csv([good_row(1)])), name="Skyward", actor="t")
    HrImport.objects.all().delete()
    response = operator.post(
        f"/boi/connections/{ready_connection.id}/import/",
        {"file": SimpleUploadedFile("staff.csv", b""), "profile": str(profile.id)},
    )
    page = response.content.decode()
    assert "the file is empty" in page
    assert f'<option value="{profile.id}" selected>Skyward</option>' in page


def test_a_title_line_above_the_header_is_refused_saying_so(operator, ready_connection):
    data = b"Staff export 2024-08-01\r\n\r\n" + hr_csv([good_row(1)])
    page = _refusal(operator, ready_connection, data)
    assert "is there a title above the header line?" in page
    assert "The first line has one column (Staff export 2024-08-01) and line 3 has more" in page


def test_only_cr_lf_and_crlf_end_a_line_and_a_crlf_split_between_chunks_is_one(checked):
    from boi.hrfile.csv_records import iter_csv

    chunks = ["staff_number,last_name\r", "\nE1,Ng\u2028Tran\r", "\nE2,B\r\n", "E3,C"]
    assert list(iter_csv(chunks))[1:] == [
        (2, {"staff_number": "E1", "last_name": "Ng\u2028Tran"}),
        (3, {"staff_number": "E2", "last_name": "B"}),
        (4, {"staff_number": "E3", "last_name": "C"}),
    ]
    mac = hr_csv([good_row(1), good_row(2)]).replace(b"\n", b"\r")  # "CSV (Macintosh)"
    assert _errors(checked(mac)) == {"E00001": [], "E00002": []}


def test_a_title_row_above_a_workbooks_header_is_refused_naming_the_rows(
    operator, ready_connection
):
    def build(book):
        sheet = book.active
        sheet.append(["Staff export 2024-08-01"])
        sheet.merge_cells("A1:D1")
        sheet.append([])
        _staff_sheet(sheet)

    page = _refusal(operator, ready_connection, _book(build), "staff.xlsx")
    assert "The first row has one column (Staff export 2024-08-01) and row 3 has more" in page


def _cut_short(book: bytes) -> bytes:
    """The workbook with its sheet's XML cut in half (a copy interrupted, a bad disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return out.getvalue()


def test_a_workbook_damaged_part_way_fails_its_check_in_words_keeping_no_rows(checked):
    def build(book):
        sheet = book.active
        sheet.append(HEADER.strip().split(","))
        for n in range(1, 3000):
            sheet.append(good_row(n).split(","))

    hr_import = checked(_cut_short(_book(build)), "staff.xlsx")
    assert hr_import.status == HrImport.Status.FAILED
    assert re.fullmatch(
        r"The Excel workbook is damaged after row \d+: open it in Excel, save it again as "
        r"\.xlsx \(or as CSV\) and upload that\.",
        hr_import.problem,
    )
    assert not HrRow.objects.filter(hr_import=hr_import).exists()


def test_a_file_mixing_utf8_and_windows_1252_lines_is_refused_naming_them(
    operator, ready_connection
):
    data = hr_csv([good_row(1, last="Muñoz")]) + (good_row(2, last="Renée") + "\n").encode("cp1252")
    page = _refusal(operator, ready_connection, data)
    assert "Lines 2 and 3 are written in two different ways" in page
    assert "“CSV UTF-8”" in page


def test_cells_written_as_excel_text_formulas_keep_their_leading_zeros(checked):
    row = good_row(1).replace("E00001", '="000123"').replace(",55123", ',="02134"')
    hr_import = checked(hr_csv([row]))
    built = HrRow.objects.get(hr_import=hr_import)
    assert built.staff_number == "000123" and not built.errors
    assert built.payload["household"]["householdLocations"][0]["address"]["zip"] == "02134"


def test_tab_separated_text_named_xls_is_read_as_the_text_it_is(checked):
    text = hr_csv([good_row(1), good_row(2)]).decode().replace(",", "\t")
    hr_import = checked(text.encode("cp1252"), "PayrollExport.xls")
    assert hr_import.file_format == "csv" and hr_import.encoding == "utf-8"
    assert _errors(hr_import) == {"E00001": [], "E00002": []}


def test_the_errors_csv_never_hands_a_spreadsheet_a_formula_from_the_file(checked, operator):
    row = good_row(1).replace("E00001", '=HYPERLINK("http://x.example";"Pay")')
    hr_import = checked(hr_csv([row]))
    sheet = operator.get(f"/boi/imports/{hr_import.id}/errors.csv").content.decode()
    cells = [line.split(",", 2)[1] for line in sheet.splitlines()[1:]]
    assert cells and all(cell.startswith("\"'=HYPERLINK") for cell in cells)
