"""The embedded default at district size: a Campus poll, a pre-flight and a sync of N staff
at once on SQLite, with the write lock timed.

Runs ``tests.sqlite_load.scenario`` (what the test of the same run asserts on) in a fresh
temporary VAR_DIR for each ``--sizes`` value: SQLite in WAL mode and the filesystem
broker; gunicorn (2 workers × 4 threads) serving idbridge and the Campus sandbox; a
Celery worker (prefork, 4 processes) running the poll, the pre-flight, every sync step,
the sandbox's commit job and the commit job's polling. Prints one JSON object per size:
each part's wall time from the moment all three were queued, the lock waits (a
``BEGIN IMMEDIATE`` that waited more than 5 ms: how many, their total, the longest), the
longest write transactions with where they were opened and the CPU time they took (the
rest of a hold's wall time is waiting for a core on a busy machine), the writes outside
a transaction that took over 5 ms (nearly all of it waiting for the lock) and the
longest of them, writes made while a read was still open, and every ``database is
locked`` (raised, or in the processes' logs). Uptime's load average is printed too: on
a machine shared with other work the wall times are upper bounds.

    .venv/bin/python bench/bench_sqlite_concurrency.py --sizes 2000,5000,10000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", default="5000", help="comma-separated staff counts")
parser.add_argument("--keep", action="store_true", help="keep each run's VAR_DIR")
args = parser.parse_args()

for staff in [int(s) for s in args.sizes.split(",") if s]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"idbridge-bench-sqlite-{staff}-"))
    out = var_dir / "report.json"
    subprocess.run(
        [sys.executable, "-m", "tests.sqlite_load.scenario", "--staff", str(staff)]
        + ["--var-dir", str(var_dir), "--out", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    report = json.loads(out.read_text())
    sqlite = report["sqlite"]
    print(
        json.dumps(
            {
                "bench": "sqlite_concurrency",
                "staff": staff,
                "seconds": report["seconds"],
                "results": {
                    "poll": [report["poll"]["state"], report["poll"]["staff_recorded"]],
                    "preflight": [report["preflight"]["state"], report["preflight"]["summary"]],
                    "sync": [report["sync"]["state"], report["sync"]["succeeded"]],
                },
                "lock_waits": sqlite["lock_waits"],
                "lock_wait_seconds": sqlite["lock_wait_seconds"],
                "longest_lock_wait": sqlite["longest_lock_wait"],
                # [wall seconds, kind, where it began, CPU seconds of the holding thread]
                "longest_write_transactions": [h[:4] for h in sqlite["holds"][:5]],
                "writes_outside_a_transaction": sqlite["autocommit_writes"],
                "of_them_over_5_ms": [
                    sqlite["slow_autocommit_writes"],
                    sqlite["slow_autocommit_write_seconds"],
                ],
                "longest_write_outside_a_transaction": sqlite["longest_autocommit_write"],
                "writes_under_an_open_read": sqlite["writes_under_open_read"],
                "database_is_locked": sqlite["locked_errors"] + report["locked_in_logs"],
                "import_check": {
                    "seconds_for_two_files": report["import_check"]["seconds"],
                    "longest_write_transaction": report["import_check"]["sqlite"]["holds"][:1],
                },
                "load_average": os.getloadavg(),
                "var_dir": str(var_dir) if args.keep else None,
            }
        ),
        flush=True,
    )
    if not args.keep:
        subprocess.run(["rm", "-rf", str(var_dir)], check=True)
