"""HR exports as district HR systems write them, through the console's upload and check.

Skyward-like (Windows-1252, MM/DD/YYYY, one row per position, Address 2, a PO box
column), Munis-like (UTF-8 with BOM, one row per job, original hire / last hire /
termination) and Frontline-like (.xlsx with real date cells) files are uploaded with the
Django test client, their columns mapped on the import page, and the staff records the
check builds are asserted.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from boi.models import HrImport, HrRow

pytestmark = pytest.mark.django_db

SKYWARD_HEADER = [
    "Employee Number",
    "Last Name",
    "First Name",
    "Gender",
    "SSN",
    "Birth Date",
    "Street Address",
    "Address 2",
    "PO Box",
    "City",
    "State",
    "Zip Code",
    "Building",
    "Job Code",
    "Job Start",
    "Job End",
    "Hire Date",
]
SKYWARD_MAP = {
    "Employee Number": "staff_number",
    "Last Name": "last_name",
    "First Name": "first_name",
    "Gender": "sex",
    "SSN": "ssn",
    "Birth Date": "birth_date",
    "Street Address": "address_full",
    "Address 2": "address_line2",
    "PO Box": "address_po_box_number",
    "City": "address_city",
    "State": "address_state",
    "Zip Code": "address_zip",
    "Building": "location",
    "Job Code": "job_code",
    "Job Start": "position_start_date",
    "Job End": "position_end_date",
    "Hire Date": "hire_date",
}
MUNOZ = '1001,Muñoz,José,M,123-45-1001,03/02/1975,"8484 Washington St",Apt 2,,Blaine,MN,55123'
LUND = '1003,"Lund, Jr.",Kai,X,123-45-1003'  # a quoted comma
SKYWARD_ROWS = [
    f"{MUNOZ},010,20,08/15/2005,,08/15/2005",
    "1002,Berg,Ann,F,123-45-1002,11/30/1988,,,54,Blaine,MN,55123,020,30,08/20/2019,,08/20/2019",
    f"{MUNOZ},020,30,08/20/2010,,08/15/2005",
    f"{MUNOZ},030,50,08/20/2015,06/30/2018,08/15/2005",
    f"{MUNOZ},HS1,TCH,08/20/2018,,08/15/2005",
    f'{MUNOZ},010,COACH,"11/01/2019",,08/15/2005',
    f"{LUND},01/05/1990,12 Oak Ave,,,Blaine,MN,55123,010,20,08/20/2020,,08/20/2020",
    f"{LUND},01/15/1990,12 Oak Ave,,,Blaine,MN,55123,020,30,08/20/2021,,08/20/2020",
]


def _csv(header: list[str], rows: list[str]) -> str:
    return ",".join(f'"{h}"' for h in header) + "\r\n" + "\r\n".join(rows) + "\r\n"


def _console_upload(client, connection, data, name, column_map, layout) -> HrImport:
    response = client.post(
        f"/boi/connections/{connection.id}/import/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content[:2000]
    hr_import = HrImport.objects.get(id=int(response.url.rstrip("/").split("/")[-1]))
    page = client.get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert "One row per position or job" in page and 'name="layout"' in page
    column_map = column_map or hr_import.column_map  # {}: the suggested mapping
    form = {f"col_{i}": column_map.get(h, "") for i, h in enumerate(hr_import.headers)}
    form["layout"] = layout
    response = client.post(f"/boi/imports/{hr_import.id}/columns/", form)
    assert response.status_code == 302
    return hr_import


@pytest.fixture
def console(ready_connection, login, hr_operator, django_capture_on_commit_callbacks):
    client = login(hr_operator)

    def _upload(data: bytes, name: str, column_map: dict, layout="detect") -> HrImport:
        with django_capture_on_commit_callbacks(execute=True):
            hr_import = _console_upload(client, ready_connection, data, name, column_map, layout)
        hr_import.refresh_from_db()  # checked once the mapping's transaction committed
        assert hr_import.status == HrImport.Status.CHECKED, hr_import.problem
        return hr_import

    return _upload


def _row(hr_import, staff_number) -> HrRow:
    return HrRow.objects.get(hr_import=hr_import, staff_number=staff_number)


def test_a_skyward_like_long_layout_becomes_one_staff_record_per_person(console):
    data = _csv(SKYWARD_HEADER, SKYWARD_ROWS).encode("cp1252")
    hr_import = console(data, "Skyward staff export.csv", SKYWARD_MAP)
    assert hr_import.encoding == "cp1252"
    assert hr_import.row_count == 3  # 8 rows, 3 staff members
    munoz = _row(hr_import, "1001")
    assert (munoz.row_number, munoz.last_name, munoz.has_errors) == (2, "Muñoz", False)
    positions = [
        (p["schoolNumber"], p.get("assignmentCode"), p["startDate"], p.get("endDate"))
        for p in munoz.payload["positions"]
    ]
    assert positions == [
        ("010", "20", "2005-08-15", None),
        ("020", "30", "2010-08-20", None),
        ("030", "50", "2015-08-20", "2018-06-30"),
        ("030", "20", "2018-08-20", None),  # HS1 → 030, TCH → 20 (the mapping tables)
        ("010", None, "2019-11-01", None),  # COACH → title T900
    ]
    assert munoz.payload["positions"][4]["titleCode"] == "T900"
    assert munoz.payload["employments"] == [{"hireDate": "2005-08-15"}]  # once, not 5 times
    address = munoz.payload["household"]["householdLocations"][0]["address"]
    assert address["fullStreetAddress"] == "8484 Washington St Apt 2"
    assert munoz.address_components["apt"] == "2"
    assert munoz.address_components["street"] == "WASHINGTON"
    assert munoz.staff_payload()["ssn"] == "123-45-1001"


def test_a_po_box_number_column_makes_the_address_a_po_box(console):
    data = _csv(SKYWARD_HEADER, SKYWARD_ROWS).encode("cp1252")
    berg = _row(console(data, "skyward.csv", SKYWARD_MAP), "1002")
    assert not berg.has_errors, berg.errors
    address = berg.payload["household"]["householdLocations"][0]["address"]
    assert address == {
        "postOfficeBox": True,
        "number": "54",
        "city": "Blaine",
        "state": "MN",
        "zip": "55123",
    }


def test_rows_of_one_person_that_disagree_are_an_error_naming_the_rows(console):
    data = _csv(SKYWARD_HEADER, SKYWARD_ROWS).encode("cp1252")
    hr_import = console(data, "skyward.csv", SKYWARD_MAP)
    lund = _row(hr_import, "1003")
    assert lund.has_errors and len(lund.payload["positions"]) == 2
    [error] = [e for e in lund.errors if e["code"] == "disagrees"]
    assert error["column"] == "Birth Date"
    assert error["message"].startswith("rows 8 and 9 are one staff member but differ in birth")
    assert "row 8 has '01/05/1990', row 9 has '01/15/1990'" in error["message"]
    assert hr_import.error_row_count == 1
    assert lund.last_name == "Lund, Jr."


OTHER_PERSON = (  # another person given Berg's staff number 1002, on two rows
    "1002,Okafor,Chidi,M,123-45-2002,04/02/1984,,,77,Blaine,MN,55123,010,20,08/20/2021,,08/20/2021",
    "1002,Okafor,Chidi,M,123-45-2002,04/02/1984,,,77,Blaine,MN,55123,030,50,08/20/2022,,08/20/2021",
)


def test_two_people_sharing_a_staff_number_are_one_error_naming_each_with_their_rows(console):
    rows = [*SKYWARD_ROWS, *OTHER_PERSON]
    hr_import = console(_csv(SKYWARD_HEADER, rows).encode("cp1252"), "s.csv", SKYWARD_MAP)
    shared = _row(hr_import, "1002")
    assert shared.has_errors
    [error] = shared.errors  # not one error per field the two people differ in
    assert (error["column"], error["code"]) == ("Employee Number", "shared_number")
    assert error["message"] == (
        "staff number 1002 is used by 2 different people: Ann Berg (row 3) and Chidi Okafor "
        "(rows 10 and 11). Give each person their own staff number in HR (or, if they are "
        "one person, correct the rows so they agree)"
    )
    assert "123-45" not in error["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [(("Berg", "Berg-Lund"), "last name"), (("11/30/1988", "11/30/1989"), "birth date")],
    ids=["a new last name", "a birth date"],
)
def test_one_person_whose_rows_differ_in_one_field_is_not_called_two_people(console, change, field):
    other = SKYWARD_ROWS[1].replace(",020,30,08/20/2019,", ",010,20,08/20/2021,")
    rows = [*SKYWARD_ROWS, other.replace(*change)]
    hr_import = console(_csv(SKYWARD_HEADER, rows).encode("cp1252"), "s.csv", SKYWARD_MAP)
    [error] = _row(hr_import, "1002").errors
    assert error["code"] == "disagrees"
    assert f"are one staff member but differ in {field}" in error["message"]


def test_a_position_problem_names_the_column_and_the_row_of_a_long_layout(console):
    rows = [*SKYWARD_ROWS[:2], SKYWARD_ROWS[2].replace(",020,30,", ",NOWHERE,30,")]
    munoz = _row(console(_csv(SKYWARD_HEADER, rows).encode("cp1252"), "s.csv", SKYWARD_MAP), "1001")
    [error] = munoz.errors
    assert (error["column"], error["code"]) == ("Building (row 4)", "unmapped")
    assert "'NOWHERE'" in error["message"]


def test_true_duplicates_are_still_reported_on_every_copy(console):
    rows = [SKYWARD_ROWS[1], SKYWARD_ROWS[1]]
    hr_import = console(_csv(SKYWARD_HEADER, rows).encode(), "dup.csv", SKYWARD_MAP)
    assert hr_import.row_count == 2 and hr_import.error_row_count == 2


def test_the_operator_says_how_the_rows_are_laid_out(console):
    rows = [SKYWARD_ROWS[1], SKYWARD_ROWS[1], SKYWARD_ROWS[0], SKYWARD_ROWS[2]]
    data = _csv(SKYWARD_HEADER, rows).encode("cp1252")
    per_position = console(data, "jobs.csv", SKYWARD_MAP, layout="per_position")
    assert (per_position.layout, per_position.row_count, per_position.error_row_count) == (
        "per_position",
        2,
        0,
    )
    assert len(_row(per_position, "1002").payload["positions"]) == 1  # kept once
    per_staff = console(data, "jobs.csv", SKYWARD_MAP, layout="per_staff")
    assert (per_staff.row_count, per_staff.error_row_count) == (4, 4)
    errors = HrRow.objects.get(hr_import=per_staff, row_number=4).errors
    assert "also on row(s) 5" in errors[-1]["message"]


MUNIS_HEADER = [
    "EMPLOYEE NO",
    "LAST NAME",
    "FIRST NAME",
    "SEX",
    "SOCIAL SECURITY",
    "BIRTH DATE",
    "ADDRESS LINE 1",
    "ADDRESS LINE 2",
    "CITY",
    "STATE",
    "ZIP",
    "LOCATION",
    "JOB CLASS",
    "JOB START",
    "ORIGINAL HIRE DATE",
    "LAST HIRE DATE",
    "TERMINATION DATE",
]
MUNIS_MAP = dict(
    zip(
        MUNIS_HEADER,
        [
            "staff_number",
            "last_name",
            "first_name",
            "sex",
            "ssn",
            "birth_date",
            "address_full",
            "address_line2",
            "address_city",
            "address_state",
            "address_zip",
            "location",
            "job_code",
            "position_start_date",
            "hire_date",
            "rehire_date",
            "termination_date",
        ],
        strict=True,
    )
)


def test_a_munis_like_export_with_a_rehire_becomes_two_employments(console):
    person = "000417,Okafor,Grace,F,123-45-0417,1982-06-09,77 Elm St,Unit 5,Blaine,MN,55123"
    rows = [
        f"{person},010,20,2019-08-20,2004-08-23,2019-08-20,2011-06-10",
        f"{person},020,30,2020-01-06,2004-08-23,2019-08-20,2011-06-10",
        "000418,Diaz,Luis,M,123-45-0418,1979-02-01,5 Pine Rd,,Blaine,MN,55123,"
        "030,50,2015-07-01,2015-07-01,,",
    ]
    data = "\ufeff" + _csv(MUNIS_HEADER, rows)
    hr_import = console(data.encode("utf-8"), "munis_jobs.csv", MUNIS_MAP)
    assert hr_import.headers[0] == "EMPLOYEE NO"  # the BOM is not part of the header
    okafor = _row(hr_import, "000417")
    assert not okafor.has_errors, okafor.errors
    assert okafor.payload["employments"] == [
        {"hireDate": "2004-08-23", "terminationDate": "2011-06-10"},
        {"hireDate": "2019-08-20"},
    ]
    assert [p["schoolNumber"] for p in okafor.payload["positions"]] == ["010", "020"]
    assert okafor.address_components["apt"] == "5"
    diaz = _row(hr_import, "000418")
    assert diaz.payload["employments"] == [{"hireDate": "2015-07-01"}]


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Employees")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FRONTLINE_HEADER = [
    "Employee ID",
    "Last Name",
    "First Name",
    "Gender",
    "Date of Birth",
    "Address 1",
    "Address 2",
    "P.O. Box",
    "City",
    "State",
    "Zip",
    "Location",
    "Position",
    "Position Start Date",
    "Hire Date",
]
FRONTLINE_MAP = dict(
    zip(
        FRONTLINE_HEADER,
        [
            "staff_number",
            "last_name",
            "first_name",
            "sex",
            "birth_date",
            "address_full",
            "address_line2",
            "address_po_box_number",
            "address_city",
            "address_state",
            "address_zip",
            "location",
            "job_code",
            "position_start_date",
            "hire_date",
        ],
        strict=True,
    )
)


def test_a_frontline_like_xlsx_with_date_cells_is_read_as_exported(console):
    from datetime import date, datetime

    rows = [
        [5001, "Hale", "Iris", "F", date(1985, 4, 3), "12 Oak Ave", "#3", None]
        + ["Blaine", "MN", 55123, "010", "20", datetime(2021, 8, 23), date(2021, 8, 23)],
        [5001, "Hale", "Iris", "F", date(1985, 4, 3), "12 Oak Ave", "#3", None]
        + ["Blaine", "MN", 55123, "020", "30", datetime(2022, 1, 3), date(2021, 8, 23)],
        [5002, "Moss", "Ty", "M", date(1990, 12, 1), None, None, 54]
        + ["Boston", "MA", 2134, "030", "50", date(2020, 7, 1), date(2020, 7, 1)],
    ]
    hr_import = console(_xlsx(FRONTLINE_HEADER, rows), "Frontline.xlsx", FRONTLINE_MAP)
    assert (hr_import.file_format, hr_import.row_count, hr_import.error_row_count) == (
        "xlsx",
        2,
        0,
    )
    assert hr_import.encoding == ""  # a workbook has no text encoding to show
    hale = _row(hr_import, "5001")
    assert hale.payload["birthDate"] == "1985-04-03"
    assert [(p["schoolNumber"], p["startDate"]) for p in hale.payload["positions"]] == [
        ("010", "2021-08-23"),
        ("020", "2022-01-03"),
    ]
    assert hale.payload["employments"] == [{"hireDate": "2021-08-23"}]
    assert hale.address_components["apt"] == "3"
    moss = _row(hr_import, "5002")
    address = moss.payload["household"]["householdLocations"][0]["address"]
    # Excel kept the ZIP 02134 as the number 2134
    assert (address["postOfficeBox"], address["number"], address["zip"]) == (True, "54", "02134")


def _refused(client, connection, data: bytes, name: str) -> str:
    response = client.post(
        f"/boi/connections/{connection.id}/import/",
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert not HrImport.objects.exists()
    return response.content.decode()


def test_workbooks_with_macros_or_a_password_are_refused_in_words(
    ready_connection, login, hr_operator
):
    client = login(hr_operator)
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/vbaProject.bin", b"\0macro")
    page = _refused(client, ready_connection, book.getvalue(), "staff.xlsm")
    assert "The workbook holds macros" in page
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    page = _refused(client, ready_connection, ole, "staff.xlsx")
    assert "password-protected workbook" in page
    page = _refused(client, ready_connection, b"PK\x03\x04 not a zip", "staff.xlsx")
    assert "damaged" in page


def test_every_position_and_employment_reaches_campus_through_a_sync(
    console, fake_boi, django_capture_on_commit_callbacks, hr_operator
):
    from django.utils import timezone

    from boi.models import SyncRun
    from boi.services.sync.commit import sync_commit_request
    from boi.services.sync.runs import sync_run_create

    data = _csv(SKYWARD_HEADER, SKYWARD_ROWS[:6]).encode("cp1252")
    hr_import = console(data, "skyward.csv", SKYWARD_MAP)
    assert (hr_import.row_count, hr_import.error_row_count) == (2, 0)
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED, run.last_error
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor=hr_operator, verified_at=timezone.now())
    run.refresh_from_db()
    assert (run.state, run.succeeded_count, run.failed_count) == ("committed", 2, 0)
    munoz = fake_boi.staff["1001"]
    assert len(munoz["positions"]) == 5
    assert munoz["employments"] == [{"hireDate": "2005-08-15"}]
    address = munoz["household"]["householdLocations"][0]["address"]
    # sent as Campus's components: the house number kept, the unit in the apartment field
    assert (address["number"], address["street"], address["tag"], address["apt"]) == (
        "8484",
        "WASHINGTON",
        "ST",
        "2",
    )
    berg = fake_boi.staff["1002"]["household"]["householdLocations"][0]["address"]
    assert berg["number"] == "54" and berg["postOfficeBox"] in (True, "true")


def test_the_wide_layout_takes_more_than_three_numbered_positions(console):
    header = ["staff_number", "last_name", "first_name", "sex"]
    cells = ["7001", "Ng", "Ana", "F"]
    for n, school in enumerate(["010", "020", "030", "010", "020"], start=1):
        suffix = "" if n == 1 else f"_{n}"
        header += [f"location{suffix}", f"job_code{suffix}", f"position_start_date{suffix}"]
        cells += [school, "20", f"2020-0{n}-01"]
    header += ["hire_date_4", "termination_date_4"]
    cells += ["2001-01-02", "2002-03-04"]
    data = (",".join(header) + "\n" + ",".join(cells) + "\n").encode()
    mapped = {h: h for h in header}
    hr_import = console(data, "wide.csv", mapped)
    assert hr_import.column_map["location_5"] == "location_5"  # suggested, not only mapped
    row = _row(hr_import, "7001")
    assert not row.has_errors, row.errors
    assert [p["startDate"] for p in row.payload["positions"]] == [
        f"2020-0{n}-01" for n in range(1, 6)
    ]
    assert row.payload["employments"] == [
        {"hireDate": "2001-01-02", "terminationDate": "2002-03-04"}
    ]


def test_json_with_five_nested_positions_keeps_them_all(console):
    positions = [
        {"location": school, "job_code": "20", "start_date": f"2020-0{n}-01"}
        for n, school in enumerate(["010", "020", "030", "010", "020"], start=1)
    ]
    record = {
        "staff_number": "7002",
        "last_name": "Ng",
        "first_name": "Bo",
        "sex": "M",
        "employments": [
            {
                "hire_date": "2004-08-23",
                "termination_date": "2011-06-10",
                "rehire_date": "2019-08-20",
            }
        ],
        "positions": positions,
    }
    import json

    hr_import = console(json.dumps([record]).encode(), "hr.json", {})
    assert "location_5" in hr_import.headers  # the fifth nested position, flattened
    row = _row(hr_import, "7002")
    assert len(row.payload["positions"]) == 5
    assert row.payload["employments"][1] == {"hireDate": "2019-08-20"}
