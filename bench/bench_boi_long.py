"""Business Office console end to end: a long-layout HR export (one row per position) from
upload to committed, as an HR operator runs it, at 2,000 / 20,000 / 50,000 staff.

The district's HR export is Skyward-like: Windows-1252, MM/DD/YYYY dates, dashed SSNs,
one row per position (≈ 1.2 rows per staff member: one staff member in nine has a second
position, one in thirty four more), Address 2 beside the street line, a PO box number
column, original hire / termination / last hire columns (rehires). It is made from
``boi.samples`` (the same staff as the demo's and the other benches' files), no bad rows.

The console runs as ``make demo`` runs it on the embedded default: SQLite, kombu's
filesystem broker, gunicorn (2 workers, ``idbridge/gunicorn_conf.py``) serving idbridge
and the Campus sandbox, and one Celery worker (prefork, concurrency 2) running the
console's jobs and the sandbox's commit job. This process does what the views do, through
the same services, and leaves every job to the worker:

- ``upload``: the file stored encrypted, ``hr_import_upload`` (format, headers);
- ``mapping``: the saved profile applied (``profile_apply``), the columns confirmed with
  the detected layout (``hr_import_map_columns``: queues the row check);
- ``check``: the worker reads, groups (one record per staff member) and checks the rows;
- ``preflight``: addresses and staff numbers looked up in Campus over HTTP;
- ``transfer`` (Start + Transfer) and ``validate`` (End transfer + Validate): queued
  together by *Start a synchronization*, chained by the worker;
- ``commit``: the commit request (the step-up is taken as fresh), Campus's commit job
  (more than 500 staff) polled by the worker until every staff member's result is stored.

Each stage prints one JSON object: wall seconds (polled every 0.2 s), the CPU seconds of
the worker's processes, of gunicorn's (the sandbox's HTTP side) and of this process,
and the load average when the stage ended; a last line per size gives upload→committed.
Wall time suffers from whatever else runs on the machine; CPU seconds much less.

Uses a throwaway VAR_DIR (SQLite) unless DATABASE_URL is set (then point it at a scratch
database: the sandbox district there is replaced).
"""

import argparse
import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", default="2000,20000,50000", help="comma-separated staff counts")
parser.add_argument("--campus-staff", type=int, default=500, help="staff already in Campus")
parser.add_argument("--stop-after", default="", help="a stage to stop after (e.g. preflight)")
parser.add_argument(
    "--distinct-people",
    action="store_true",
    help="a birth date per staff member (the samples repeat 840 name + birth date pairs)",
)
args = parser.parse_args()
sizes = [int(s) for s in args.sizes.split(",") if s]

if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-long-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.utils import timezone  # noqa: E402

from boi import storage  # noqa: E402
from boi.models import BoiConnection, HrImport, MappingProfile, SyncRun, SyncStaff  # noqa: E402
from boi.samples import DEMO_MAPPINGS, sample_rows  # noqa: E402
from boi.services import imports, preflight, profiles  # noqa: E402
from boi.services.connections import campus_lists_fetch, mappings_save_many  # noqa: E402
from boi.services.sync import commit, runs  # noqa: E402
from idbridge.jobs.models import Job  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
POLL = 0.2

# --- the export -------------------------------------------------------------------------

HEADER = {  # the export's column → the template column (the saved profile)
    "Employee Number": "staff_number",
    "Last Name": "last_name",
    "First Name": "first_name",
    "Middle Name": "middle_name",
    "Gender": "sex",
    "SSN": "ssn",
    "Birth Date": "birth_date",
    "Email": "work_email",
    "Street Address": "address_full",
    "Address 2": "address_line2",
    "PO Box": "address_po_box_number",
    "City": "address_city",
    "State": "address_state",
    "Zip Code": "address_zip",
    "Original Hire": "hire_date",
    "Termination Date": "termination_date",
    "Last Hire": "rehire_date",
    "Building": "location",
    "Job Code": "job_code",
    "Job Start": "position_start_date",
    "Job End": "position_end_date",
}
UNIT = re.compile(r" (Apt |Unit |#)(\d+)$")
EXTRA_POSITIONS = 40  # one staff member in this many has four more positions (five in all)


def us_date(value: str) -> str:
    if not value:
        return ""
    year, month, day = value.split("-")
    return f"{month}/{day}/{year}"


def person_cells(row: dict, index: int) -> dict:
    """A sample staff member's own columns as the export writes them."""
    street, line2 = row["address_full"], ""
    if not street and row["address_street"] and row["address_po_box"] != "true":
        parts = (row["address_number"], row["address_prefix"], row["address_street"])
        street = " ".join(p for p in (*parts, row["address_tag"]) if p)
        line2 = f"Apt {row['address_apt']}" if row["address_apt"] else ""
    match = UNIT.search(street)
    if match:
        street, line2 = street[: match.start()], f"{match.group(1)}{match.group(2)}".strip()
    box = row["address_number"] if row["address_po_box"] == "true" else ""
    hired, rehired = row["hire_date"], row["hire_date_2"]
    return {
        "Employee Number": row["staff_number"],
        "Last Name": row["last_name"],
        "First Name": row["first_name"],
        "Middle Name": row["middle_name"],
        "Gender": row["sex"],
        "SSN": row["ssn"],
        "Birth Date": us_date(birth_date(row, index)),
        "Email": row["work_email"],
        "Street Address": street,
        "Address 2": line2,
        "PO Box": box,
        "City": row["address_city"],
        "State": row["address_state"],
        "Zip Code": row["address_zip"],
        "Original Hire": us_date(hired),
        "Termination Date": us_date(row["termination_date"]),
        "Last Hire": us_date(rehired),
    }


def birth_date(row: dict, index: int) -> str:
    """The sample's birth date; with ``--distinct-people`` one of 14,600 days by staff
    member, so that (name, birth date) pairs hardly repeat, as in a district (the samples'
    names and birth dates repeat every 840 staff: the pre-flight asks Campus for each
    distinct pair once)."""
    if not args.distinct_people:
        return row["birth_date"]
    day = date(1960, 1, 1) + timedelta(days=(index * 7919) % 14600)
    return day.isoformat()


def positions(row: dict, index: int) -> list[tuple[str, str, str]]:
    out = [(row["location"], row["job_code"], row["position_start_date"])]
    if row["location_2"]:
        out.append((row["location_2"], row["job_code_2"], row["position_start_date_2"]))
    if index % EXTRA_POSITIONS == 0:
        for k, (location, job) in enumerate((("L020", "PARA"), ("L030", "SPED"))):
            out.append((location, job, f"{2010 + k}-01-0{k + 4}"))
        out += [("L040", "COACH", "2015-11-01"), ("L010", "COUNS", "2021-08-16")]
    return out


def long_export(staff: int) -> tuple[bytes, int]:
    """The export (Windows-1252) and its number of data rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(HEADER), lineterminator="\r\n")
    writer.writeheader()
    lines = 0
    for index, row in enumerate(sample_rows(staff, seed=staff, prefix="S")):
        person = person_cells(row, index)
        for location, job, start in positions(row, index):
            writer.writerow(
                {**person, "Building": location, "Job Code": job, "Job Start": us_date(start)}
            )
            lines += 1
    return out.getvalue().encode("cp1252"), lines


# --- the demo's processes -----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # the process's own and its waited-for children's (prefork children that ended)
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


def tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except FileNotFoundError:
        pass
    return found


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree(pid))


class Demo:
    """gunicorn and a Celery worker as ``make demo`` starts them (beat left out: it only
    runs the periodic sweeps)."""

    def __init__(self):
        from sandbox.models import BOI_SCOPE
        from sandbox.services.clients import api_client_create

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://localhost:{self.port}"
        settings.PUBLIC_BASE_URL = self.base
        _, creds = api_client_create(name=f"bench-{os.getpid()}", actor="bench", scopes=BOI_SCOPE)
        db.close()
        env = {**os.environ, "PUBLIC_BASE_URL": self.base}
        env.setdefault("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)
        self.log = open(Path(settings.VAR_DIR) / "bench-demo.log", "w")  # noqa: SIM115
        web = ["gunicorn", "idbridge.wsgi:application", "-c", "python:idbridge.gunicorn_conf"]
        web += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--log-level", "warning"]
        worker = ["celery", "-A", "idbridge", "worker", "--loglevel", "WARNING"]
        worker += ["--concurrency", "2", "--hostname", f"bench-{os.getpid()}@%h"]
        self.procs = {
            name: subprocess.Popen(
                [sys.executable, "-m", *cmd],
                cwd=ROOT,
                env=env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for name, cmd in (("web", web), ("worker", worker))
        }
        self._wait_ready()
        self.connection, _ = BoiConnection.objects.update_or_create(
            name="bench long layout",
            defaults={
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "token_url": creds["token_url"],
                "base_url": f"{self.base}/sandbox/campus/api/boi/v1/",
                "scope": BOI_SCOPE,
                "request_timeout_seconds": 900,
            },
        )
        campus_lists_fetch(connection=self.connection, actor="bench")

    def _wait_ready(self):
        import requests

        for _ in range(300):
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the web server did not start: see bench-demo.log in VAR_DIR")

    def cpu(self) -> dict[str, float]:
        return {name: tree_cpu(proc.pid) for name, proc in self.procs.items()}

    def stop(self):
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.log.close()


def saved_profile(connection: BoiConnection) -> MappingProfile:
    """The Skyward profile the operator saved from an earlier file: its columns and the
    district's code mappings (``DEMO_MAPPINGS``), which the code mapping page saved once
    (a new title code with its description is taken there, not from a profile)."""
    codes = []
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, campus in table.items():
            value, title, description = campus if kind == "job" else (campus, "", "")
            codes.append(
                {
                    "kind": kind,
                    "hr_value": hr_value,
                    "campus_value": value,
                    "title_code": title,
                    "title_description": description,
                }
            )
    mappings_save_many(connection=connection, choices=codes, actor="bench")
    profile, _ = MappingProfile.objects.update_or_create(
        connection=connection,
        name="Skyward staff export",
        defaults={"column_map": HEADER, "code_mappings": codes},
    )
    return profile


def campus_reset() -> None:
    """Every size meets the same Campus: the seeded district, no earlier syncs."""
    from sandbox.models import BoiErrorLogEntry, CommitJob, SyncSession, SyncStagedStaff
    from sandbox.services.seed import district_seed

    SyncStagedStaff.objects.all().delete()
    CommitJob.objects.all().delete()
    SyncSession.objects.all().delete()
    BoiErrorLogEntry.objects.all().delete()
    district_seed(
        staff=args.campus_staff,
        students=args.campus_staff // 2,
        seed=3,
        actor="bench",
        replace=True,
    )


# --- the stages ---------------------------------------------------------------------------


class Stage:
    def __init__(self, demo: Demo, name: str, staff: int, totals: dict):
        self.demo, self.name, self.staff, self.totals = demo, name, staff, totals

    def __enter__(self):
        self.cpu0 = self.demo.cpu()
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            return False
        wall = time.perf_counter() - self.t0
        cpu = {n: round(c - self.cpu0[n], 2) for n, c in self.demo.cpu().items()}
        cpu["bench"] = round(time.process_time() - self.c0, 2)
        for key, value in (("wall", wall), *cpu.items()):
            self.totals[key] = self.totals.get(key, 0) + value
        emit(
            stage=self.name,
            staff=self.staff,
            wall_s=round(wall, 2),
            cpu_s=cpu,
            cpu_s_all=round(sum(cpu.values()), 2),
            ms_per_staff=round(wall * 1000 / self.staff, 2),
            load=os.getloadavg(),
        )
        return False


def emit(**fields):
    print(json.dumps({"bench": "boi_long", "db": db.vendor, **fields}), flush=True)


def wait(check, what: str, limit: float = 3600):
    """Poll ``check`` (None while not done) every POLL seconds; fail on a failed job."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        done = check()
        if done is not None:
            db.close()  # no read left open between polls (SQLite's write lock)
            return done
        db.close()
        time.sleep(POLL)
    raise SystemExit(f"{what} did not finish in {limit} s")


def job_done(job_id: int | None, what: str):
    state, error = Job.objects.filter(id=job_id).values_list("state", "error").first()
    if state == Job.State.FAILED:
        raise SystemExit(f"{what} failed: {error}")
    return True if state == Job.State.SUCCEEDED else None


def run_size(demo: Demo, staff: int) -> None:
    data, lines = long_export(staff)
    emit(stage="file", staff=staff, rows=lines, mb=round(len(data) / 2**20, 1))
    profile = saved_profile(demo.connection)
    totals: dict = {}
    with Stage(demo, "upload", staff, totals):
        stored = storage.store(io.BytesIO(data))
        hr_import = imports.hr_import_upload(
            connection=demo.connection, file_name="Skyward staff.csv", stored=stored, actor="bench"
        )
    with Stage(demo, "mapping", staff, totals):
        profiles.profile_apply(hr_import=hr_import, profile=profile, actor="bench")
        hr_import = imports.hr_import_map_columns(
            hr_import=hr_import, column_map=hr_import.column_map, layout="detect", actor="bench"
        )
    with Stage(demo, "check", staff, totals):
        wait(lambda: job_done(hr_import.check_job_id, "the row check"), "the row check")
    hr_import.refresh_from_db()
    emit(
        stage="checked",
        rows=lines,
        records=hr_import.row_count,
        with_errors=hr_import.error_row_count,
        unmapped=hr_import.unmapped,
    )
    if hr_import.error_row_count:
        raise SystemExit("the export should check clean")
    with Stage(demo, "preflight", staff, totals):
        preflight.preflight_queue(hr_import=hr_import, actor="bench")
        hr_import.refresh_from_db()
        wait(lambda: job_done(hr_import.preflight_job_id, "the pre-flight"), "the pre-flight")
    hr_import.refresh_from_db()
    emit(stage="preflight summary", **hr_import.preflight_summary)
    if args.stop_after == "preflight":
        return
    synchronize(demo, hr_import, staff, totals)
    emit(
        stage="total",
        staff=staff,
        rows=lines,
        wall_s=round(totals.pop("wall"), 2),
        cpu_s={k: round(v, 2) for k, v in totals.items()},
        cpu_s_all=round(sum(totals.values()), 2),
        load=os.getloadavg(),
    )


ORDER = ["start", "transfer", "end_transfer", "validate", "commit"]


def run_reached(run_id: int, step: str):
    """The run once ``step`` is done (the worker has gone on to the next, or is idle)."""
    run = SyncRun.objects.get(id=run_id)
    if run.job == SyncRun.Job.FAILED:
        raise SystemExit(f"{run.step} failed: {run.last_error}")
    at = ORDER.index(run.step) if run.step in ORDER else -1
    if at > ORDER.index(step) or (at == ORDER.index(step) and run.job == SyncRun.Job.IDLE):
        return run
    return None


def synchronize(demo: Demo, hr_import: HrImport, staff: int, totals: dict) -> None:
    with Stage(demo, "transfer", staff, totals):
        run = runs.sync_run_create(hr_import=hr_import, actor="bench")
        wait(lambda: run_reached(run.id, "transfer"), "transfer")
    with Stage(demo, "validate", staff, totals):
        run = wait(lambda: run_reached(run.id, "validate"), "validate")
    report = {k: v for k, v in run.report_summary.items() if isinstance(v, int | str)}
    emit(stage="validated", staff=run.staff_count, report=report)
    with Stage(demo, "commit", staff, totals):
        run = commit.sync_commit_request(run=run, actor="bench", verified_at=timezone.now())
        run = wait(lambda: run_reached(run.id, "commit"), "commit")
    if run.state != SyncRun.State.COMMITTED:
        raise SystemExit(f"the commit did not finish: {run.last_error}")
    emit(
        stage="committed",
        api=run.commit_mode,
        succeeded=run.succeeded_count,
        failed=run.failed_count,
        results=SyncStaff.objects.filter(run=run).exclude(outcome="pending").count(),
        step_seconds=run.stage_seconds,
    )


call_command("migrate", verbosity=0)
campus_reset()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the demo's processes too
demo = Demo()
try:
    for n, staff in enumerate(sizes):
        if n:
            campus_reset()
        run_size(demo, staff)
finally:
    demo.stop()
