"""The embedded default holds at district size: a Campus poll of 5,000 staff, a pre-flight
of 5,000 HR rows and a sync of 5,000 staff, queued at once on SQLite and the filesystem
broker, all finish, with the right results and no ``database is locked``.

``tests.sqlite_load.scenario`` runs them in processes of their own, as ``make demo`` does
(gunicorn serving idbridge and the Campus sandbox, a Celery worker running every job
through its task), on a fresh VAR_DIR, and times SQLite's write lock in every process
(``tests.sqlite_load.watch``). Its figures are reported by
``bench/bench_sqlite_concurrency.py``; this test asserts on what the run left behind.
Several minutes: marked ``slow`` (part of ``make test``; ``-m "not slow"`` leaves it out).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STAFF = 5_000


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("district-size")
    out = var_dir / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_load.scenario", "--staff", str(STAFF)]
        + ["--var-dir", str(var_dir), "--out", str(out), "--timeout", "1200"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())


def test_no_process_meets_a_locked_database(report):
    sqlite = report["sqlite"]
    assert sqlite["transactions"] > 50  # the timing was installed in the processes
    assert sqlite["locked_errors"] == []
    assert report["locked_in_logs"] == []
    assert report["failed_jobs"] == []


def test_no_write_waits_on_a_read_left_open(report):
    # A write made while a read of the same connection is still open keeps the write lock
    # until the read ends (the pre-flight's "database is locked" a district met).
    assert report["sqlite"]["writes_under_open_read"] == 0


def test_the_poll_records_every_staff_member_campus_had(report):
    poll = report["poll"]
    assert (poll["state"], poll["error"]) == ("succeeded", "")
    assert poll["seeded_staff_in_campus"] > STAFF * 0.9
    assert poll["missing_staff"] == 0
    assert poll["seeded_staff_recorded"] == poll["seeded_staff_in_campus"]
    assert poll["cases"] == poll["staff_recorded"]  # one case each, none twice
    assert poll["baseline_taken"]


def test_the_preflight_looks_up_every_row_and_address(report):
    preflight = report["preflight"]
    assert (preflight["state"], preflight["error"]) == ("succeeded", "")
    summary = preflight["summary"]
    assert preflight["rows"] == STAFF
    assert summary["staff_found"] == preflight["expected_found"]
    assert summary["staff_found"] + summary["staff_missing"] + summary["likely_duplicates"] == STAFF
    assert summary["addresses"] == preflight["distinct_addresses"] == preflight["address_checks"]
    assert summary["addresses_in_campus"] + summary["addresses_new"] == summary["addresses"]


def test_the_sync_commits_every_staff_member(report):
    sync = report["sync"]
    assert (sync["state"], sync["last_error"]) == ("committed", "")
    assert (sync["staff"], sync["succeeded"], sync["failed"]) == (STAFF, STAFF, 0)
    assert sync["staff_now_in_campus"] == STAFF
