"""A Campus poll, a pre-flight and a sync of N staff at once, on the embedded default.

``python -m tests.sqlite_load.scenario --staff 5000 --var-dir DIR`` makes a fresh
embedded default in DIR (SQLite in WAL mode, the filesystem broker), as ``make demo``
runs it: gunicorn (2 workers × 4 threads) serving idbridge and the Campus sandbox, and a
Celery worker (prefork, 4 processes) running the jobs. It seeds a sandbox district of N
staff, connects idbridge to it over HTTP (a OneRoster connection, a BOI connection) and
checks two HR files of N rows. Then, at once:

- a Campus poll (the connection's first: its baseline, N staff recorded);
- a pre-flight of the first file (HR rows carrying the district's own staff numbers);
- a sync of the second file (N new staff): Start → Transfer → End transfer → Validate,
  then the commit (as the operator would ask for it, once validated) through Campus's
  commit job, polled until it is done.

Every job runs on the worker through its Celery task, as in production. Every process
times SQLite's write lock (``tests.sqlite_load.watch``). Prints one JSON object: each
part's wall time and result, what the results should be, the lock figures and any
``database is locked`` seen in the processes' logs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.sqlite_load.settings"
WORKER_PROCESSES = 4
ACTOR = "load-test"


def _env(var_dir: Path, port: int) -> dict:
    """The embedded default's settings, spelled out (a developer's .env may say otherwise)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{var_dir / 'idbridge.sqlite3'}",
        CELERY_BROKER_URL="filesystem://localhost/",
        CACHE_URL="dbcache://idbridge_cache",
        VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=SETTINGS,
        SQLITE_WATCH_DIR=str(var_dir / "watch"),
        PUBLIC_BASE_URL=f"http://localhost:{port}",
        BOI_JOB_POLL_SECONDS="1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """The web server and the worker of the embedded default (as ``make demo``)."""

    def __init__(self, var_dir: Path, port: int, env: dict):
        self.var_dir, self.port, self.env = var_dir, port, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.var_dir / f"{name}.log", "w")  # noqa: SIM115 - kept for the process
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self) -> None:
        self.start(
            "web",
            ["gunicorn", "idbridge.wsgi:application", "-c", "python:idbridge.gunicorn_conf"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"]
            + ["--timeout", "900", "--log-level", "warning"],
        )
        import requests

        for _ in range(300):
            if self.procs["web"].poll() is not None:
                raise SystemExit("the web server exited; see web.log")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the web server did not answer")

    def start_worker(self) -> None:
        self.start(
            "worker",
            ["celery", "-A", "idbridge", "worker", "--loglevel", "WARNING"]
            + ["--concurrency", str(WORKER_PROCESSES), "--hostname", f"load-{os.getpid()}@%h"]
            + ["--without-gossip", "--without-mingle"],
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()

    def locked_in_logs(self) -> list[str]:
        lines = []
        for name in self.procs:
            text = (self.var_dir / f"{name}.log").read_text(errors="replace")
            lines += [f"{name}: {line[:300]}" for line in text.splitlines() if "is locked" in line]
        return lines


def district_staff_numbers_csv(data: bytes, first: int) -> bytes:
    """The sample HR file with the district's own Local Staff Numbers (the sandbox's
    ``100001`` onwards), so a pre-flight finds most staff in Campus."""
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(rows):
        row["staff_number"] = str(first + i)
        writer.writerow(row)
    return out.getvalue().encode()


# --- inside the driver, once Django is set up -------------------------------------------------


def prepare(staff: int, students: int) -> dict:
    """The district, the connections and two checked HR files; what the results must be."""
    from django.utils import timezone

    import boi.tasks
    from boi.samples import sample_csv
    from sandbox.models import Person
    from sandbox.selectors import is_staff_now_q
    from sandbox.services.seed import district_seed

    started = time.perf_counter()
    district_seed(staff=staff, students=students, seed=3, actor=ACTOR)
    seeded = time.perf_counter() - started
    today = timezone.localdate()
    staff_now = set(Person.objects.filter(is_staff_now_q(today)).values_list("pk", flat=True))
    numbers = set(Person.objects.exclude(staff_number="").values_list("staff_number", flat=True))
    preflight_file = district_staff_numbers_csv(sample_csv(staff, seed=11), 100001)
    expected_found = sum(1 for i in range(staff) if str(100001 + i) in numbers)
    # The row checks run here, before the worker starts (measured on their own).
    boi.tasks.check_import.delay_on_commit = lambda job_id: None
    return {
        "seed_seconds": round(seeded, 1),
        "max_person_id": Person.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "staff_now": staff_now,
        "expected_found": expected_found,
        "files": {"preflight": preflight_file, "sync": sample_csv(staff, seed=7, prefix="H")},
    }


def connections(base: str) -> tuple:
    """A OneRoster connection (the poll) and a BOI connection with the demo mappings."""
    from boi.models import BoiConnection, MappingValue
    from boi.samples import DEMO_MAPPINGS
    from boi.services.connections import campus_lists_fetch
    from sandbox.models import BOI_SCOPE
    from sandbox.services.clients import api_client_create
    from staff.models import CampusConnection

    _, rest = api_client_create(name="OneRoster poll", actor=ACTOR)
    campus = CampusConnection.objects.create(
        name="Campus",
        kind="rest",
        token_url=rest["token_url"],
        rostering_base_url=rest["oneroster_base_url"] + "/",
        client_id=rest["client_id"],
        client_secret=rest["client_secret"],
        page_size=1000,
    )
    _, hr = api_client_create(name="HR system", actor=ACTOR, scopes=BOI_SCOPE)
    boi = BoiConnection.objects.create(
        name="Campus BOI",
        client_id=hr["client_id"],
        client_secret=hr["client_secret"],
        token_url=hr["token_url"],
        base_url=f"{base}/sandbox/campus/api/boi/v1/",
        scope=BOI_SCOPE,
        request_timeout_seconds=900,
    )
    campus_lists_fetch(connection=boi, actor=ACTOR)
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, value in table.items():
            code, title, description = value if kind == "job" else (value, "", "")
            MappingValue.objects.create(
                connection=boi,
                kind=kind,
                hr_value=hr_value,
                campus_value=code,
                title_code=title,
                title_description=description,
            )
    return campus, boi


def checked_import(boi, name: str, data: bytes):
    from boi import storage
    from boi.services import imports
    from boi.services.import_check import hr_import_check

    stored = storage.store(io.BytesIO(data))
    hr_import = imports.hr_import_upload(connection=boi, file_name=name, stored=stored, actor=ACTOR)
    imports.hr_import_map_columns(hr_import=hr_import, column_map=hr_import.column_map, actor=ACTOR)
    hr_import.refresh_from_db()
    hr_import_check(job_id=hr_import.check_job_id, actor=ACTOR)
    hr_import.refresh_from_db()
    assert hr_import.status == "checked" and not hr_import.error_row_count, hr_import.problem
    return hr_import


def run_at_once(campus, preflight_import, sync_import, timeout: float) -> dict:
    """Queue the poll, the pre-flight and the sync together; commit once validated (as the
    operator would); wait until all three are done. Returns each part's seconds."""
    from django.utils import timezone

    from boi.models import HrImport, SyncRun
    from boi.services.preflight import preflight_queue
    from boi.services.sync.commit import sync_commit_request
    from boi.services.sync.runs import sync_run_create
    from idbridge.jobs.models import Job
    from idbridge.jobs.services import job_is_stale
    from staff.polling import poll_queue

    started, now = time.perf_counter(), timezone.now()
    poll_job = poll_queue(connection_id=campus.id)
    preflight_queue(hr_import=preflight_import, actor=ACTOR)
    run = sync_run_create(hr_import=sync_import, actor=ACTOR)
    preflight_job = HrImport.objects.get(id=preflight_import.id).preflight_job_id
    seconds: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(seconds) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
        for name, job_id in (("poll", poll_job.id), ("preflight", preflight_job)):
            job = Job.objects.get(id=job_id)
            if name not in seconds and not job.is_busy:
                seconds[name] = round((job.finished_at - now).total_seconds(), 1)
            elif name not in seconds and job_is_stale(job):  # its worker died: no sweeper here
                seconds[name] = round(time.perf_counter() - started, 1)
        run.refresh_from_db()
        if run.state == SyncRun.State.VALIDATED and run.job == SyncRun.Job.IDLE:
            run = sync_commit_request(run=run, actor=ACTOR, verified_at=timezone.now())
        if "sync" not in seconds and (
            run.state == SyncRun.State.COMMITTED or run.job == SyncRun.Job.FAILED
        ):
            seconds["sync"] = round(time.perf_counter() - started, 1)
    seconds["wall"] = round(time.perf_counter() - started, 1)
    return {
        "seconds": seconds,
        "poll_job": poll_job.id,
        "preflight_job": preflight_job,
        "run": run.id,
    }


def results(prepared: dict, campus, preflight_import, ran: dict) -> dict:
    """What each part left behind, next to what it should have."""
    from boi.models import AddressCheck, HrImport, HrRow, SyncRun, SyncStaff
    from idbridge.jobs.models import Job
    from sandbox.models import Person
    from staff.models import OnboardingCase, StaffMember

    poll_job = Job.objects.get(id=ran["poll_job"])
    members = StaffMember.objects.filter(connection=campus, is_staff_in_campus=True)
    recorded = {int(k) for k in members.values_list("campus_key", flat=True)}
    seeded = {k for k in recorded if k <= prepared["max_person_id"]}
    preflight_job = Job.objects.get(id=ran["preflight_job"])
    hr_import = HrImport.objects.get(id=preflight_import.id)
    run = SyncRun.objects.get(id=ran["run"])
    synced = set(SyncStaff.objects.filter(run=run).values_list("staff_number", flat=True))
    in_campus = set(
        Person.objects.filter(staff_number__in=list(synced)).values_list("staff_number", flat=True)
    )
    return {
        "poll": {
            "state": poll_job.state,
            "error": poll_job.error,
            "staff_recorded": len(recorded),
            "seeded_staff_recorded": len(seeded),
            "seeded_staff_in_campus": len(prepared["staff_now"]),
            "missing_staff": len(prepared["staff_now"] - seeded),
            "cases": OnboardingCase.objects.filter(staff_member__connection=campus).count(),
            "baseline_taken": campus.__class__.objects.get(id=campus.id).baseline_at is not None,
        },
        "preflight": {
            "state": preflight_job.state,
            "error": preflight_job.error,
            "summary": hr_import.preflight_summary,
            "rows": HrRow.objects.filter(hr_import=hr_import).count(),
            "expected_found": prepared["expected_found"],
            "distinct_addresses": HrRow.objects.filter(hr_import=hr_import)
            .exclude(address_key="")
            .values("address_key")
            .distinct()
            .count(),
            "address_checks": AddressCheck.objects.filter(
                hr_import=hr_import, checked=True
            ).count(),
        },
        "sync": {
            "state": run.state,
            "last_error": run.last_error,
            "staff": run.staff_count,
            "succeeded": run.succeeded_count,
            "failed": run.failed_count,
            "staff_now_in_campus": len(in_campus),
        },
        "failed_jobs": list(
            Job.objects.filter(state=Job.State.FAILED).values_list("kind", "error")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--var-dir", required=True, type=Path)
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    var_dir = args.var_dir.resolve()
    (var_dir / "watch").mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = _env(var_dir, port)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests.sqlite_load import watch

    call_command("migrate", verbosity=0)
    prepared = prepare(args.staff, args.students)
    processes = Processes(var_dir, port, env)
    try:
        processes.start_web()
        campus, boi = connections(f"http://localhost:{port}")
        watch.reset()
        check_started = time.perf_counter()
        preflight_import = checked_import(boi, "preflight.csv", prepared["files"]["preflight"])
        sync_import = checked_import(boi, "sync.csv", prepared["files"]["sync"])
        import_check = {
            "seconds": round(time.perf_counter() - check_started, 1),
            "sqlite": watch.collect_here(),
        }
        watch.reset()
        connection.close()
        processes.start_worker()
        ran = run_at_once(campus, preflight_import, sync_import, args.timeout)
    finally:
        processes.stop()
    watch.flush()
    report = {
        "staff": args.staff,
        "seed_seconds": prepared["seed_seconds"],
        "import_check": import_check,
        "seconds": ran["seconds"],
        **results(prepared, campus, preflight_import, ran),
        "sqlite": watch.collect(var_dir / "watch"),
        "locked_in_logs": processes.locked_in_logs(),
    }
    text = json.dumps(report, indent=1, default=str)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
