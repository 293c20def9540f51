"""Campus sandbox BOI: validate and commit job at 5,000 / 20,000 / 50,000 staff.

For each size: a district of that many staff is seeded (``--students`` per staff), HR's
export is built from it (every Campus staff member with a unique staff number, 5 % with a
new work phone, 2 % renamed, and 10 % more new hires at addresses written several ways),
transferred through the service layer in calls of 1,000, then the sync is validated and
committed by a commit job run in this process (the same code the Celery task runs).

Prints one JSON object per measurement: seconds, this process's CPU seconds (on SQLite
that is all the work, and unlike wall time it does not suffer from other processes on the
machine), staff per second, and peak resident
memory above the phase's start (sampled every 20 ms from /proc/self/statm); with
``--tracemalloc`` also the phase's peak Python heap (``py_peak_mb``), which is the
clearer sign of whether a phase streams (RSS rarely shrinks, so a phase can reuse what an
earlier one freed). Time that with tracemalloc on is slower. A last line compares sizes.

Uses a throwaway SQLite database in a temporary VAR_DIR unless DATABASE_URL is set (then
the sandbox district in that database is REPLACED: point it at a scratch database).
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", default="5000,20000,50000", help="comma-separated staff counts")
parser.add_argument("--students", type=float, default=0.5, help="students per staff member")
parser.add_argument("--batch-size", type=int, default=500, help="CAMPUS_SANDBOX_BOI_BATCH_SIZE")
parser.add_argument(
    "--tracemalloc",
    action="store_true",
    help="also measure each phase's peak Python heap (tracemalloc; slows the phases down)",
)
args = parser.parse_args()

if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ["CAMPUS_SANDBOX_BOI_BATCH_SIZE"] = str(args.batch_size)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from sandbox.boi import sync  # noqa: E402
from sandbox.boi.context import campus_people_load, iso  # noqa: E402
from sandbox.boi.db import campus_tables_analyze  # noqa: E402
from sandbox.models import (  # noqa: E402
    BoiErrorLogEntry,
    CommitJob,
    Person,
    SyncSession,
    SyncStagedStaff,
)
from sandbox.services.seed import district_seed  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
STREETS = ["Lexington", "Maple", "Cedar", "Elm", "Lake", "Hillcrest", "Oak", "Pine"]


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Peak:
    """Peak RSS while the block runs, above what it was at the start."""

    def __enter__(self):
        self.start = self.peak = rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        if args.tracemalloc:
            tracemalloc.start()
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.c0
        self.py_peak_mb = None
        if args.tracemalloc:
            self.py_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())
        self.growth_mb = round((self.peak - self.start) / 2**20, 1)
        return False


def hr_export(size: int):
    """HR's staff objects, generated from Campus in chunks (never all Persons at once)."""
    today = timezone.localdate()
    unique = (
        Person.objects.exclude(staff_number="")
        .values("staff_number")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values_list("staff_number", flat=True)
        .order_by("staff_number")
    )
    numbers = list(unique.iterator(chunk_size=5000))
    from sandbox.boi.context import lookups_load

    lookups = lookups_load()
    for start in range(0, len(numbers), 1000):
        people = campus_people_load(
            staff_numbers=numbers[start : start + 1000], today=today, with_locations=False
        )
        for index, held in enumerate(people.values(), start=start):
            if not held.assignments:
                continue
            person, identity = held.person, held.identity
            payload = {
                "staffNumber": person.staff_number,
                "lastName": identity.last_name,
                "firstName": identity.first_name,
                "middleName": identity.middle_name,
                "gender": lookups.gender_codes[person.gender_id],
                "ssn": person.ssn.reveal(),
                "birthDate": iso(person.birth_date),
                "workPhone": person.work_phone,
                "cellPhone": person.cell_phone,
                "workEmail": person.work_email,
                "personalEmail": person.personal_email,
                "employments": [
                    {"hireDate": iso(e.hire_date), "terminationDate": iso(e.termination_date)}
                    for e in held.employments
                ],
                "positions": [
                    {
                        "schoolNumber": lookups.school_numbers[a.school_id],
                        "assignmentCode": lookups.assignment_codes.get(a.assignment_code_id),
                        "titleCode": lookups.title_codes.get(a.title_code_id),
                        "startDate": iso(a.start_date),
                        "endDate": iso(a.end_date),
                    }
                    for a in held.assignments
                ],
            }
            if index % 20 == 0:
                payload["workPhone"] = "651-555-0177"
            if index % 50 == 1:
                payload["lastName"] += "-Hale"
            yield payload
    school = next(iter(lookups.school_ids))
    for i in range(size // 10):
        street = STREETS[i % len(STREETS)]
        line = (
            f"{100 + i % 900} North {street} Avenue"
            if i % 2
            else f"{100 + i % 900} N {street} Ave."
        )
        yield {
            "staffNumber": f"H{i:07d}",
            "lastName": f"Hire{i}",
            "firstName": "New",
            "gender": "F" if i % 2 else "M",
            "ssn": f"9{i % 100:02d}-{(i // 100) % 99 + 1:02d}-{i % 9999 + 1:04d}",
            "birthDate": "1990-05-17",
            "workEmail": f"hire{i}@rrvps.example.org",
            "employments": [{"hireDate": "2026-08-17"}],
            "positions": [
                {"schoolNumber": school, "assignmentCode": "20", "startDate": "2026-08-17"}
            ],
            "household": {
                "householdLocations": [
                    {
                        "address": {
                            "fullStreetAddress": line,
                            "city": "Blaine",
                            "state": "MN",
                            "zip": "55434",
                        }
                    }
                ]
            },
        }


def emit(**fields):
    print(json.dumps({"bench": "boi_sandbox", "db": connection.vendor, **fields}), flush=True)


def run(size: int) -> dict:
    SyncStagedStaff.objects.all().delete()
    CommitJob.objects.all().delete()
    SyncSession.objects.all().delete()
    BoiErrorLogEntry.objects.all().delete()
    started = time.perf_counter()
    district_seed(
        staff=size, students=int(size * args.students), seed=2026, actor="bench", replace=True
    )
    campus_tables_analyze()  # a seeded database has statistics, as a real district's has
    emit(phase="seed", staff=size, seconds=round(time.perf_counter() - started, 1))

    session = sync.sync_start(started_by="bench", actor="bench")
    with Peak() as transfer:
        batch, transferred = [], 0
        for payload in hr_export(size):
            batch.append(payload)
            if len(batch) == 1000:
                transferred = sync.sync_transfer(session=session, body=batch)["transferred"]
                batch = []
        if batch:
            transferred = sync.sync_transfer(session=session, body=batch)["transferred"]
    emit(
        phase="transfer",
        staff=transferred,
        seconds=round(transfer.seconds, 2),
        cpu_s=round(transfer.cpu_seconds, 2),
        per_s=round(transferred / transfer.seconds),
        rss_growth_mb=transfer.growth_mb,
    )
    session = sync.sync_end_transfer(session=session, actor="bench")

    with Peak() as validate:
        summary = sync.sync_validate(session=session, actor="bench")
    emit(
        phase="validate",
        staff=transferred,
        seconds=round(validate.seconds, 2),
        cpu_s=round(validate.cpu_seconds, 2),
        per_s=round(transferred / validate.seconds),
        rss_growth_mb=validate.growth_mb,
        py_peak_mb=validate.py_peak_mb,
        add=summary["add"],
        update=summary["update"],
        error=summary["error"],
        addresses_to_add=summary["addressesToAdd"],
    )

    session.refresh_from_db()
    job = sync.commit_job_submit(session=session, actor="bench")
    with Peak() as commit:
        outcome = sync.commit_job_run(job.pk, worker="bench")
    job.refresh_from_db()
    emit(
        phase="commit_job",
        staff=job.total,
        seconds=round(commit.seconds, 2),
        cpu_s=round(commit.cpu_seconds, 2),
        per_s=round(job.total / commit.seconds),
        rss_growth_mb=commit.growth_mb,
        py_peak_mb=commit.py_peak_mb,
        outcome=outcome,
        succeeded=job.succeeded,
        failed=job.failed,
    )
    return {
        "staff": transferred,
        "validate_s": validate.seconds,
        "validate_cpu_s": validate.cpu_seconds,
        "validate_mb": validate.growth_mb,
        "validate_py_mb": validate.py_peak_mb,
        "commit_s": commit.seconds,
        "commit_cpu_s": commit.cpu_seconds,
        "commit_mb": commit.growth_mb,
        "commit_py_mb": commit.py_peak_mb,
    }


call_command("migrate", verbosity=0)
results = [run(int(size)) for size in args.sizes.split(",")]
base = results[0]
emit(
    phase="growth",
    sizes=[r["staff"] for r in results],
    validate_time_ratio=[round(r["validate_s"] / base["validate_s"], 2) for r in results],
    commit_time_ratio=[round(r["commit_s"] / base["commit_s"], 2) for r in results],
    validate_cpu_ratio=[round(r["validate_cpu_s"] / base["validate_cpu_s"], 2) for r in results],
    commit_cpu_ratio=[round(r["commit_cpu_s"] / base["commit_cpu_s"], 2) for r in results],
    staff_ratio=[round(r["staff"] / base["staff"], 2) for r in results],
    validate_rss_growth_mb=[r["validate_mb"] for r in results],
    commit_rss_growth_mb=[r["commit_mb"] for r in results],
    validate_py_peak_mb=[r["validate_py_mb"] for r in results],
    commit_py_peak_mb=[r["commit_py_mb"] for r in results],
)
