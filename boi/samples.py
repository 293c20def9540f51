"""A realistic HR export, generated deterministically: the demo's sample file, the
integration tests' files and the benchmark's.

Variety, as HR exports have it: the same street written several ways by different staff
("4321 North Lexington Avenue", "4321 N Lexington Ave.", components instead of a full
line), PO boxes, rehires (a second employment), several positions, HR's own codes
(locations, sex codes, job codes: see ``DEMO_MAPPINGS``), and — when asked — bad rows:
a missing name, an impossible date, an unmapped location, a duplicate staff number, both
address forms at once, a PO box with a street.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator

from boi.hrfile import template_columns

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
COLUMNS = [name for name, _, _ in template_columns()]


def _addresses(rng: random.Random, count: int) -> list[tuple]:
    return [
        (
            str(rng.randint(100, 9999)),
            rng.randrange(len(STREETS)),
            rng.choice(["", "", "", str(rng.randint(1, 40))]),
            rng.randrange(len(CITIES)),
        )
        for _ in range(count)
    ]


def sample_rows(
    count: int, *, bad: int = 0, seed: int = 7, prefix: str = "H", changed_from: int | None = None
) -> Iterator[dict[str, str]]:
    """``count`` HR rows (template columns), ``bad`` of them with one problem each.

    ``changed_from``: the same staff as an earlier ``sample_rows(seed=changed_from)`` with
    some changes (names, new positions, terminations, moved addresses): a change file.
    """
    rng = random.Random(seed)
    homes = _addresses(random.Random(seed * 31 + 1), max(count // 3, 1))
    bad_at = set(rng.sample(range(count), bad)) if bad else set()
    base = random.Random(changed_from) if changed_from is not None else None
    for i in range(count):
        row = {name: "" for name in COLUMNS}
        number = f"{prefix}{i + 1:06d}"
        row["staff_number"] = number
        row["first_name"] = FIRST[(i * 7 + seed) % len(FIRST)]
        row["last_name"] = LAST[(i * 3 + seed) % len(LAST)]
        row["middle_name"] = rng.choice(["", "", "J", "Marie"])
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
        if base is not None and i % 5 == 0:  # the change file: what changed in HR
            change = i % 3
            if change == 0:
                row["last_name"] += "-Park"  # a name change: a new identity in Campus
            elif change == 1:
                row["position_end_date"] = "2025-06-10"
            else:
                row["location_2"], row["job_code_2"] = "L020", "PARA"
                row["position_start_date_2"] = "2025-01-06"
        home = homes[i % len(homes)]
        house, street_index, apt, city_index = home
        name, suffixes, directions = STREETS[street_index]
        city, zip_code = CITIES[city_index]
        spelling = i % 4
        row["address_city"], row["address_state"], row["address_zip"] = city, "MN", zip_code
        if i % 17 == 0:
            row["address_po_box"], row["address_number"] = "true", str(100 + i % 900)
        elif spelling == 3:  # components
            row.update(
                address_number=house,
                address_prefix=directions[1],
                address_street=name,
                address_tag=suffixes[1],
                address_apt=apt,
            )
        else:
            parts = [house, directions[spelling], name, suffixes[spelling]]
            line = " ".join(p for p in parts if p)
            if apt:
                line += rng.choice([f" Apt {apt}", f" #{apt}", f" Unit {apt}"])
            row["address_full"] = line
            if spelling == 2:
                row["address_state"] = "Minnesota"
        if i in bad_at:
            _spoil(row, BAD_KINDS[len([b for b in bad_at if b < i]) % len(BAD_KINDS)], i)
        yield row


def _spoil(row: dict[str, str], kind: str, i: int) -> None:
    if kind == "missing_name":
        row["last_name"] = ""
    elif kind == "bad_date":
        row["birth_date"] = "1985-02-30"
    elif kind == "unmapped_location":
        row["location"] = "L999"
    elif kind == "duplicate":
        row["staff_number"] = f"{row['staff_number'][0]}{max(i, 1):06d}"  # the previous row's
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
