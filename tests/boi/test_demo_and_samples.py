import io
import json

import pytest

from boi import hrfile
from boi.demo import boi_demo_setup
from boi.models import BoiConnection, MappingValue
from boi.rules.staff import Mappings
from boi.samples import DEMO_MAPPINGS, sample_csv
from idbridge.core.demo import DEMO_STEPS


def _resolver():
    jobs = {k: hrfile.JobMapping(*v) for k, v in DEMO_MAPPINGS["job"].items()}
    mappings = Mappings(
        {"M", "F", "X"}, {"010", "020", "030", "040"}, {"10", "20", "21", "30", "40"}, set()
    )
    return hrfile.Resolver(DEMO_MAPPINGS["location"], DEMO_MAPPINGS["sex"], jobs, mappings)


def test_the_sample_has_variety_and_exactly_the_bad_rows_asked_for():
    rows = list(hrfile.iter_csv([sample_csv(300, bad=12, seed=3).decode()]))[1:]
    resolver = _resolver()
    built = [hrfile.build_row(r, resolver) for _, r in rows]
    bad = [b for b in built if b.problems]
    assert 10 <= len(bad) <= 12  # the duplicate's first copy is itself fine here
    codes = {p.code for b in bad for p in b.problems}
    assert {"required", "invalid", "unmapped", "conflict"} <= codes
    keys = [b.address_key for b in built if b.address_key]
    assert len(set(keys)) < len(keys) / 2  # addresses shared, written several ways
    assert any(b.payload.get("employments", [{}])[0].get("terminationDate") for b in built)


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
    assert boi_demo_setup in DEMO_STEPS
