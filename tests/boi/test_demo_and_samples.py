import io
import json
from collections import Counter

import pytest

from boi.demo import boi_demo_setup
from boi.hrfile.csv_records import iter_csv
from boi.hrfile.resolver import JobMapping, Resolver
from boi.hrfile.rows import build_row
from boi.models import BoiConnection, MappingValue
from boi.rules.staff import Mappings
from boi.samples import DEMO_MAPPINGS, bad_rows, change_of, sample_csv, sample_rows
from idbridge.core.demo import demo_steps


def _resolver():
    jobs = {k: JobMapping(*v) for k, v in DEMO_MAPPINGS["job"].items()}
    mappings = Mappings(
        {"M", "F", "X"}, {"010", "020", "030", "040"}, {"10", "20", "21", "30", "40"}, set()
    )
    return Resolver(DEMO_MAPPINGS["location"], DEMO_MAPPINGS["sex"], jobs, mappings)


def test_the_sample_has_variety_and_exactly_the_bad_rows_asked_for():
    rows = list(iter_csv([sample_csv(300, bad=12, seed=3).decode()]))[1:]
    resolver = _resolver()
    built = [build_row(r, resolver) for _, r in rows]
    numbers = Counter(b.staff_number for b in built)
    bad = {i for i, b in enumerate(built) if b.problems or numbers[b.staff_number] > 1}
    assert bad == set(bad_rows(300, 12, seed=3))  # the duplicate copies another bad row
    codes = {p.code for b in built for p in b.problems}
    assert {"required", "invalid", "unmapped", "conflict"} <= codes
    keys = [b.address_key for b in built if b.address_key]
    assert len(set(keys)) < len(keys) / 2  # addresses shared, written several ways
    spellings = {}
    for b in built:
        spellings.setdefault(b.address_key, set()).add(b.address_spelling)
    assert max(len(s) for s in spellings.values()) >= 3
    assert any(b.payload.get("employments", [{}])[0].get("terminationDate") for b in built)


def test_a_change_file_holds_the_same_staff_with_every_fifth_one_changed():
    before = list(sample_rows(1200, bad=30, seed=7))
    after = list(sample_rows(200, changed_from=7))
    spoiled = bad_rows(1200, 30, seed=7)
    changed = {i for i in range(200) if before[i] != after[i]}
    assert changed == {i for i in range(200) if change_of(i) or i in spoiled}
    assert [r["staff_number"] for r in after] == [f"H{i + 1:06d}" for i in range(200)]
    assert after[0]["last_name"] == before[0]["last_name"] + "-Park"
    assert after[5]["position_end_date"] == "2025-06-10"
    added = after[10]
    assert "PARA" in (added["job_code_2"], added["job_code_3"])
    moved = after[15]
    assert moved["address_full"] != before[15]["address_full"] or moved["address_number"]


def test_the_shipped_sample_file_is_the_generated_one():
    with open("docs/samples/hr_export_sample.csv", "rb") as f:
        assert f.read() == sample_csv(60, bad=5, seed=11, prefix="D")


@pytest.mark.django_db
def test_the_demo_step_configures_the_sandbox_connection_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    (tmp_path / "campus_demo_client.json").write_text(
        json.dumps({"client_id": "cid", "client_secret": "sec", "app_name": "idbridge"})
    )
    out = io.StringIO()
    boi_demo_setup(out)
    boi_demo_setup(out)
    connection = BoiConnection.objects.get()
    assert connection.client_secret == "sec" and connection.base_url.endswith("/api/boi/v1/")
    assert MappingValue.objects.filter(connection=connection).count() == 12
    assert boi_demo_setup in [step.run for step in demo_steps()]
