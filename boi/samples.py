"""A realistic HR export, generated deterministically: the demo's sample file, the
integration tests' files and the benchmark's.

Variety, as HR exports have it: the same street written several ways by different staff
("4321 North Lexington Avenue", "4321 N Lexington Ave.", components instead of a full
line; about three staff share each home), PO boxes, rehires (a second employment),
several positions, HR's own codes (locations, sex codes, job codes: see
``DEMO_MAPPINGS``), and — when asked — bad rows: a missing name, an impossible date, an
unmapped location, a duplicate staff number, both address forms at once, a PO box with a
street.

Every row is a function of (seed, row index) alone, so a later file can describe the same
staff (``changed_from``), and ``bad=N`` spoils exactly N rows: the duplicate staff number
is copied from another spoiled row, so no good row becomes a duplicate.

    >>> rows = list(sample_rows(3, seed=7))
    >>> [r["staff_number"] for r in rows]
    ['H000001', 'H000002', 'H000003']
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator

from boi.hrfile.template import template_columns

# HR value -> Campus value, as the demo connection maps them (the sandbox's codes).
DEMO_MAPPINGS = {
    "location": {"L010": "010", "L020": "020", "L030": "030", "L040": "040"},
    "sex": {"1": "M", "2": "F"},
    "job": {  # job code -> (assignment code, title code, title description)
        "TCH": ("20", "", ""),
        "SPED": ("21", "", ""),
        "PARA": ("40", "", ""),
        "PRIN": ("10", "", ""),
        "COUNS": ("30", "", ""),
        "COACH": ("", "HRCOACH", "Varsity Coach (HR)"),
    },
}
FIRST = (
    "Ana Ben Carla Dev Elif Femi Gus Hana Ivan Jia Kai Lena Mo Nia Omar Pia Raj Sol Tia Uma".split()
)
LAST = (
    "Lindqvist Okafor Nguyen Haddad Kowalski Brennan Sato Morales Petrov Adeyemi "
    "Fischer Larsen Quinn Romero Tanaka Whitfield Yilmaz Zhou Abbott Castillo"
).split()
STREETS = [
    ("Lexington", ("Avenue", "Ave", "Ave."), ("North", "N", "N.")),
    ("Main", ("Street", "St", "St."), ("", "", "")),
    ("Oak Grove", ("Parkway", "Pkwy", "PKWY"), ("South", "S", "S.")),
    ("Sand Creek", ("Drive", "Dr", "Dr."), ("East", "E", "E")),
    ("109th", ("Avenue", "Ave", "Av"), ("West", "W", "W.")),
]
CITIES = [("Blaine", "55434"), ("Coon Rapids", "55433"), ("Andover", "55304"), ("Anoka", "55303")]
BAD_KINDS = (
    "missing_name",
    "bad_date",
    "unmapped_location",
    "duplicate",
    "both_address_forms",
    "po_box_with_street",
)
# What a change file changes, for every fifth staff member (in turn).
CHANGE_KINDS = ("name", "position_ended", "position_added", "moved")
STAFF_PER_HOME = 3
COLUMNS = [name for name, _, _ in template_columns()]


def _rng(seed: int, stream: int, index: int) -> random.Random:
    """Independent, reproducible randomness per (seed, purpose, index)."""
    return random.Random((seed << 40) + (stream << 32) + index)


def _home(seed: int, home: int) -> tuple[str, int, str, int]:
    """(house number, street index, apartment, city index) of a home."""
    r = _rng(seed, 1, home)
    return (
        str(r.randint(100, 9999)),
        r.randrange(len(STREETS)),
        r.choice(["", "", "", str(r.randint(1, 40))]),
        r.randrange(len(CITIES)),
    )


def bad_rows(count: int, bad: int, seed: int = 7) -> dict[int, str]:
    """Row index (0-based, data rows) → what is wrong with it, for ``sample_rows``."""
    if not bad:
        return {}
    picked = sorted(random.Random(seed).sample(range(count), bad))
    return {i: BAD_KINDS[rank % len(BAD_KINDS)] for rank, i in enumerate(picked)}


def change_of(index: int) -> str:
    """What a change file changes for the staff member at ``index`` ('' = nothing)."""
    return CHANGE_KINDS[(index // 5) % len(CHANGE_KINDS)] if index % 5 == 0 else ""


def sample_rows(
    count: int, *, bad: int = 0, seed: int = 7, prefix: str = "H", changed_from: int | None = None
) -> Iterator[dict[str, str]]:
    """``count`` HR rows (template columns), exactly ``bad`` of them with problems.

    ``changed_from``: a change file — the first ``count`` staff of an earlier
    ``sample_rows(…, seed=changed_from)`` as HR has them now, every fifth one changed
    (``change_of``: a name change, a position ended, a position added, a move to a
    neighbour's home); ``seed`` is then not used.
    """
    if changed_from is not None:
        seed = changed_from
    spoiled = bad_rows(count, bad, seed)
    previous_bad = None
    for i in range(count):
        row = _clean_row(i, seed, prefix)
        if changed_from is not None and change_of(i):
            _change(row, change_of(i), i, seed)
        if i in spoiled:
            _spoil(row, spoiled[i], previous_bad)
            previous_bad = row["staff_number"]
        yield row


def _clean_row(i: int, seed: int, prefix: str) -> dict[str, str]:
    r = _rng(seed, 0, i)
    row = {name: "" for name in COLUMNS}
    number = f"{prefix}{i + 1:06d}"
    row["staff_number"] = number
    row["first_name"] = FIRST[(i * 7 + seed) % len(FIRST)]
    row["last_name"] = LAST[(i * 3 + seed) % len(LAST)]
    row["middle_name"] = r.choice(["", "", "J", "Marie"])
    row["sex"] = "2" if i % 2 else "1"
    row["ssn"] = f"{500 + i % 399:03d}-{10 + i % 89:02d}-{i % 10000:04d}"
    row["birth_date"] = f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    row["work_email"] = f"{row['first_name'].lower()}.{number.lower()}@district.example"
    hire_year = 2000 + i % 24
    row["hire_date"] = f"{hire_year}-08-{15 + i % 10}"
    if i % 11 == 0 and hire_year < 2015:  # a rehire: an earlier employment, terminated
        row["hire_date"], row["termination_date"] = (
            f"{hire_year - 8}-08-20",
            f"{hire_year - 3}-06-05",
        )
        row["hire_date_2"] = f"{hire_year}-08-20"
    locations = list(DEMO_MAPPINGS["location"])
    jobs = ["TCH", "TCH", "TCH", "SPED", "PARA", "COUNS", "PRIN"]
    row["location"] = locations[i % len(locations)]
    row["job_code"] = jobs[i % len(jobs)]
    row["position_start_date"] = row.get("hire_date_2") or row["hire_date"]
    if i % 9 == 0:
        row["location_2"], row["job_code_2"] = locations[(i + 1) % len(locations)], "COACH"
        row["position_start_date_2"] = f"{hire_year + 1}-11-01"
    if i % 17 == 0:
        city, zip_code = CITIES[i % len(CITIES)]
        row["address_city"], row["address_state"], row["address_zip"] = city, "MN", zip_code
        row["address_po_box"], row["address_number"] = "true", str(100 + i % 900)
    else:
        _write_home(row, _home(seed, i // STAFF_PER_HOME), spelling=i % 4, r=r)
    return row


def _write_home(row: dict[str, str], home: tuple, *, spelling: int, r: random.Random) -> None:
    """The home's address as one of four spellings (three full lines, one in components)."""
    house, street_index, apt, city_index = home
    name, suffixes, directions = STREETS[street_index]
    city, zip_code = CITIES[city_index]
    for column in COLUMNS:
        if column.startswith("address_"):
            row[column] = ""
    row["address_city"], row["address_state"], row["address_zip"] = city, "MN", zip_code
    if spelling == 3:  # components
        row.update(
            address_number=house,
            address_prefix=directions[1],
            address_street=name,
            address_tag=suffixes[1],
            address_apt=apt,
        )
        return
    parts = [house, directions[spelling], name, suffixes[spelling]]
    line = " ".join(p for p in parts if p)
    if apt:
        line += r.choice([f" Apt {apt}", f" #{apt}", f" Unit {apt}"])
    row["address_full"] = line
    if spelling == 2:
        row["address_state"] = "Minnesota"


def _change(row: dict[str, str], kind: str, i: int, seed: int) -> None:
    if kind == "name":
        row["last_name"] += "-Park"  # a name change: a new identity in Campus
    elif kind == "position_ended":
        row["position_end_date"] = "2025-06-10"
    elif kind == "position_added":
        n = 2 if not row["location_2"] else 3  # every earlier position is sent again
        row[f"location_{n}"], row[f"job_code_{n}"] = "L020", "PARA"
        row[f"position_start_date_{n}"] = "2025-01-06"
    else:  # moved in with the neighbours, written the neighbours' way or another
        home = _home(seed, i // STAFF_PER_HOME + 1)
        _write_home(row, home, spelling=(i + 1) % 4, r=_rng(seed, 2, i))


def _spoil(row: dict[str, str], kind: str, previous_bad: str | None) -> None:
    if kind == "missing_name":
        row["last_name"] = ""
    elif kind == "bad_date":
        row["birth_date"] = "1985-02-30"
    elif kind == "unmapped_location":
        row["location"] = "L999"
    elif kind == "duplicate":  # the staff number of the previous bad row: both are errors
        row["staff_number"] = previous_bad or row["staff_number"]
    elif kind == "both_address_forms":
        row["address_full"], row["address_number"], row["address_street"] = "1 Main St", "1", "Main"
    else:
        row.update(address_po_box="true", address_number="12", address_street="Main")
        row["address_full"] = ""


def sample_csv(count: int, **kwargs) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sample_rows(count, **kwargs):
        writer.writerow(row)
    return out.getvalue().encode()
