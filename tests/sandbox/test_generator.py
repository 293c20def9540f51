"""The district generator, without a database: deterministic, realistic, dirty enough."""

from collections import Counter
from datetime import date

import pytest

from sandbox.generator.district import TABLES, DistrictGenerator

AS_OF = date(2026, 1, 15)


def generate(staff=400, students=500, seed=7, batch_size=150):
    gen = DistrictGenerator(
        staff=staff, students=students, seed=seed, as_of=AS_OF, batch_size=batch_size
    )
    rows = {t: [] for t in TABLES}
    for table, table_rows in gen.reference().items():
        rows[table].extend(table_rows)
    for batch in gen.batches():
        for table, table_rows in batch.items():
            rows[table].extend(table_rows)
    return rows


@pytest.fixture(scope="module")
def district():
    return generate()


def test_the_same_seed_gives_the_same_district():
    assert generate(seed=3) == generate(seed=3)


def test_another_seed_gives_another_district():
    assert generate(seed=3)["person"] != generate(seed=4)["person"]


def test_batching_does_not_change_the_district_size():
    small, large = generate(batch_size=50), generate(batch_size=5000)
    assert len(small["person"]) > 0
    assert (
        Counter(p["staff_number"] != "" for p in small["person"])[True]
        == Counter(p["staff_number"] != "" for p in large["person"])[True]
    )


def test_person_ids_are_unique_and_increasing_within_the_generated_order(district):
    ids = [p["id"] for p in district["person"]]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == list(range(1, len(ids) + 1))


def test_every_staff_member_has_a_position_and_an_employment(district):
    staff = {p["id"] for p in district["person"] if p["work_email"]}
    assert len(staff) == 400
    assert staff <= {a["person_id"] for a in district["assignment"]}
    assert staff <= {e["person_id"] for e in district["employment"]}
    assert len(district["student"]) == 500


def test_every_person_has_exactly_one_current_identity(district):
    current = Counter(i["person_id"] for i in district["identity"] if i["is_current"])
    assert set(current.values()) == {1}
    assert set(current) == {p["id"] for p in district["person"]}
    ended = [i for i in district["identity"] if not i["is_current"]]
    assert ended and all(i["end_date"] for i in ended)  # name changes happened


def test_a_few_staff_have_a_blank_or_duplicated_staff_number(district):
    numbers = Counter(p["staff_number"] for p in district["person"] if p["work_email"])
    assert numbers[""] >= 2
    assert sum(1 for n, c in numbers.items() if n and c > 1) >= 1


def test_rehires_transfers_and_linked_positions_exist(district):
    per_person = Counter(e["person_id"] for e in district["employment"])
    assert max(per_person.values()) >= 2
    assert any(a["end_date"] for a in district["assignment"])
    assert any(a["is_linked_to_other_activity"] for a in district["assignment"])
    assert any(a["assignment_code_id"] is None for a in district["assignment"])  # title only


def test_some_staff_share_a_household_with_students(district):
    staff = {p["id"] for p in district["person"] if p["work_email"]}
    students = {s["person_id"] for s in district["student"]}
    households = {}
    for m in district["household_member"]:
        households.setdefault(m["household_id"], set()).add(m["person_id"])
    assert any(members & staff and members & students for members in households.values())
    assert any(len(members & staff) == 2 for members in households.values())
    assert {r["guardian_id"] for r in district["relationship"]} & staff


def test_addresses_are_written_in_many_ways(district):
    addresses = district["address"]
    tags = {a["tag"] for a in addresses}
    assert {"Ave", "Avenue"} <= tags or {"St", "Street"} <= tags
    assert any(a["post_office_box"] for a in addresses)
    assert any(a["apt"].startswith(("#", "Apt", "Unit", "APT")) for a in addresses)
    assert any("-" in a["zip"] for a in addresses)
    shared = Counter(loc["address_id"] for loc in district["household_location"])
    assert max(shared.values()) >= 2  # households at the same address record
    assert all(a["match_key"] == "" for a in addresses)


def test_ssns_are_never_real(district):
    ssns = [p["ssn"] for p in district["person"] if p["ssn"]]
    assert ssns and all(s.startswith("9") for s in ssns)


def test_modification_times_are_in_the_past(district):
    assert all(p["date_modified"].date() < AS_OF for p in district["person"])


def test_a_district_without_students_has_no_families():
    rows = generate(staff=50, students=0)
    assert rows["student"] == [] and rows["relationship"] == []
    assert len(rows["person"]) == 50


def test_negative_sizes_are_refused():
    with pytest.raises(ValueError):
        DistrictGenerator(staff=-1, students=0, seed=1, as_of=AS_OF)
