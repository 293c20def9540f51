"""How HR systems spell the template's columns: header normalisation and the synonym table.

A header is reduced to a *key* — lower case, camelCase and letter/digit runs split, punctuation
dropped, common abbreviations spelled out — so "Emp #", "EMP_NO" and "EmpNo" all become
"employee number". The synonym table is written as HR writes its headers (Skyward, Tyler Munis,
Frontline and similar exports) and reduced the same way when this module loads.

>>> header_key("Orig Hire Dt")
'original hire date'
>>> header_key("EmpNo")
'employee number'
"""

from __future__ import annotations

import functools
import re

# One token → its spelled-out word(s). Applied after splitting, before the lookup.
ABBREVIATIONS = {
    "emp": "employee",
    "empl": "employee",
    "ee": "employee",
    "no": "number",
    "num": "number",
    "nbr": "number",
    "nmbr": "number",
    "#": "number",
    "id": "number",
    "dt": "date",
    "cd": "code",
    "addr": "address",
    "adr": "address",
    "ln": "line",
    "bldg": "building",
    "bld": "building",
    "loc": "location",
    "desc": "description",
    "descr": "description",
    "orig": "original",
    "term": "termination",
    "sep": "separation",
    "ph": "phone",
    "tel": "phone",
    "telephone": "phone",
    "nm": "name",
    "pos": "position",
    "posn": "position",
    "asgn": "assignment",
    "assign": "assignment",
    "init": "initial",
    "mid": "middle",
    "e": "",  # "E-mail" → "mail" below is rejoined as "email"
    "mail": "email",
    "ssn": "ssn",
    "dir": "direction",
    "zipcode": "zip",
    "birthdate": "birth date",
    "dob": "birth date",
    "lname": "last name",
    "fname": "first name",
    "mname": "middle name",
    "lastname": "last name",
    "firstname": "first name",
    "middlename": "middle name",
    "jobcode": "job code",
    "apt": "apartment",
    "cellular": "cell",
    "mobile": "cell",
    "ext": "extension",
    "bdate": "birth date",
    "rehire": "re hire",
    "empno": "employee number",
    "empid": "employee number",
    "emplid": "employee number",
    "l": "last",
    "f": "first",
    "m": "middle",
}
# Words that say nothing about which column it is ("Employee Last Name" = "Last Name").
NOISE = ("employee", "staff", "legal", "home", "primary", "current", "mailing", "residence")

# Template column → how HR exports spell it. Written as found in files; reduced by header_key.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "staff_number": (
        "Staff Number",
        "Employee ID",
        "Employee #",
        "Emp #",
        "EmpNo",
        "Employee Number",
        "Staff ID",
        "Emp Nbr",
        "Personnel Number",
        "Local Staff Number",
        "Employee Code",
        "Other ID",
        "HR ID",
        "Badge Number",
        "ID",
        "Number",
        "Person Number",
        "Employee",
    ),
    "last_name": ("Last Name", "LName", "Surname", "Last", "Family Name", "Name Last"),
    "first_name": ("First Name", "FName", "First", "Given Name", "Name First"),
    "middle_name": (
        "Middle Name",
        "Middle",
        "Middle Initial",
        "MI",
        "Name Middle",
        "M Name",
    ),
    "sex": ("Sex", "Gender", "Gender Code", "Sex Code"),
    "ssn": (
        "SSN",
        "Social Security Number",
        "Soc Sec No",
        "Social Security #",
        "SS #",
        "SS Number",
        "Social Security",
        "Soc Sec Number",
        "Social",
    ),
    "birth_date": ("Birth Date", "DOB", "Date of Birth", "Birthday", "Birth"),
    "work_phone": (
        "Work Phone",
        "Office Phone",
        "Business Phone",
        "Phone Work",
        "School Phone",
        "Work Phone Number",
        "Work Tel",
    ),
    "cell_phone": ("Cell Phone", "Cell", "Mobile", "Mobile Phone", "Cell Phone Number", "Cell #"),
    "other_phone": ("Home Phone", "Phone", "Phone Number", "Other Phone", "Phone Home"),
    "work_email": (
        "Email",
        "E-mail",
        "Work Email",
        "Email Address",
        "District Email",
        "School Email",
        "Business Email",
        "Office Email",
        "Work Email Address",
    ),
    "personal_email": (
        "Personal Email",
        "Private Email",
        "Alternate Email",
        "Other Email",
        "Home Email",
        "Alt Email",
        "Personal Email Address",
    ),
    "hire_date": (
        "Hire Date",
        "Original Hire Date",
        "Orig Hire Dt",
        "Date of Hire",
        "Date Hired",
        "Hired",
        "District Hire Date",
        "Hire",
        "Employment Start Date",
        "Employment Date",
    ),
    "termination_date": (
        "Termination Date",
        "Term Date",
        "Term Dt",
        "Separation Date",
        "Date Terminated",
        "Terminated",
        "Termination",
        "Employment End Date",
        "Date of Termination",
        "Last Day Worked",
        "Leave Date",
        "Inactive Date",
    ),
    # The last hire on the same row: after the termination, a rehire's second employment.
    "rehire_date": (
        "Rehire Date",
        "Re-Hire Date",
        "Last Hire Date",
        "Latest Hire Date",
        "Most Recent Hire",
        "Recent Hire Date",
        "Adjusted Hire Date",
    ),
    "location": (
        "Location",
        "Work Location",
        "Location Code",
        "Bldg",
        "Building",
        "Building Code",
        "School",
        "School Code",
        "Site",
        "Site Code",
        "Work Site",
        "Campus",
        "Loc Code",
        "Building Number",
        "Location Name",
        "Building Name",
        "School Name",
        "Site Name",
        "School Number",
        "Assigned Building",
        "Work Building",
    ),
    "job_code": (
        "Job Code",
        "Position Code",
        "Job",
        "Job Class",
        "Job Class Code",
        "Job Classification",
        "Assignment Code",
        "Pos Code",
        "Job Number",
        "Position Number",
        "Position Class",
        "Job ID",
        "Position ID",
    ),
    "title_description": (
        "Title Description",
        "Job Title",
        "Position Title",
        "Title",
        "Job Description",
        "Position Description",
        "Assignment Description",
        "Job Class Description",
        "Job Class Title",
        "Job Name",
        "Position Name",
        "Assignment Title",
        "Position",
    ),
    "position_start_date": (
        "Position Start Date",
        "Position Start",
        "Job Start Date",
        "Assignment Start Date",
        "Assignment Start",
        "Pos Start Dt",
        "Position Begin Date",
        "Job Begin Date",
        "Position Effective Date",
        "Job Effective Date",
        "Effective Date",
        "Start Date",
    ),
    "position_end_date": (
        "Position End Date",
        "Position End",
        "Job End Date",
        "Assignment End Date",
        "Assignment End",
        "Pos End Dt",
        "Position Stop Date",
        "Job Stop Date",
        "End Date",
    ),
    "address_full": (
        "Address",
        "Street Address",
        "Address 1",
        "Address Line 1",
        "Addr1",
        "Street",
        "Street Line",
        "Address Street",
        "Full Street Address",
        "Street 1",
        "Home Address",
    ),
    "address_po_box": ("PO Box", "P.O. Box", "Box", "POB", "PO Box Flag", "Is PO Box"),
    "address_po_box_number": ("PO Box Number", "Box Number", "PO Box No", "POB Number"),
    "address_number": (
        "House Number",
        "Street Number",
        "House No",
        "Address Number",
        "House",
    ),
    "address_prefix": (
        "Street Prefix",
        "Pre Direction",
        "Predirectional",
        "Street Pre Dir",
        "Prefix Direction",
        "Direction Prefix",
        "Pre Dir",
        "Street Dir",
    ),
    "address_street": ("Street Name", "Street Nm"),
    "address_tag": (
        "Street Suffix",
        "Street Type",
        "Street Tag",
        "Suffix Type",
        "Street Sfx",
    ),
    "address_direction": (
        "Post Direction",
        "Postdirectional",
        "Street Post Dir",
        "Direction Suffix",
        "Post Dir",
    ),
    "address_line2": ("Address 2", "Address Line 2", "Addr2", "Street 2", "Street Line 2"),
    "address_apt": (
        "Apt",
        "Apartment",
        "Unit",
        "Apt/Unit",
        "Suite",
        "Apartment Number",
        "Unit Number",
        "Apt #",
        "Street 2",
        "Address2",
    ),
    "address_city": ("City", "Town", "City Name", "Address City"),
    "address_state": ("State", "ST", "State Code", "Address State", "State Abbreviation"),
    "address_zip": (
        "Zip",
        "Zip Code",
        "Zip+4",
        "ZIP4",
        "Postal Code",
        "Zip Plus 4",
        "Zip Code 4",
        "Zip Code Plus 4",
        "ZIP/Postal",
        "Address Zip",
        "Postal",
    ),
    "address_county": ("County", "County Name", "County Code"),
}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2,})")
_RUNS = re.compile(r"[a-z]+|\d+|#")


@functools.lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """A header reduced for lookup: words, spelled out, in order; no punctuation or case."""
    text = _CAMEL.sub(" ", header.strip()).lower().replace("+", " plus ")
    words: list[str] = []
    for token in _RUNS.findall(text):
        words.extend(ABBREVIATIONS.get(token, token).split())
    return " ".join(words)


def _without_noise(key: str) -> str:
    words = key.split()
    kept = [w for w in words if w not in NOISE]
    return " ".join(kept) if kept else key


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for column, spellings in SYNONYMS.items():
        for spelling in spellings:
            table.setdefault(header_key(spelling), column)
    return table


KEY_TO_COLUMN = _table()


def column_for_key(key: str) -> str:
    """The template column a header key names ("" when none): as written, then without the
    words that say nothing ("Employee Last Name" → "last name")."""
    return KEY_TO_COLUMN.get(key) or KEY_TO_COLUMN.get(_without_noise(key), "")
