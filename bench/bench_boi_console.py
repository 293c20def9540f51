"""Business Office console: HR import, then transfer, validate and commit, at 5,000 /
20,000 / 50,000 HR rows.

For each size the sample HR export (``boi.samples``, 2.5 % bad rows) is stored encrypted
and checked (``hr_import_check``: streaming read, mapping, ``boi.rules`` validation,
bulk writes, duplicate detection). With ``--sync`` the bad rows are then excluded and the
good ones synchronized with the Campus sandbox served over HTTP, as a deployment would:
gunicorn (2 workers × 4 threads) and a Celery worker (the sandbox's commit job) in
subprocesses. The console's own steps run here, one at a time, through the same service
calls the Celery tasks make:

- ``transfer``: Start, then the staff sent in ``BOI_TRANSFER_BATCH_SIZE`` batches;
- ``validate``: End transfer, then Validate (Campus's report, stored per staff member);
- ``commit``: the commit request, the commit job (more than 500 staff) and polling its
  status every 0.5 s until it is done, then the per-staff results.

Each stage prints one JSON object: wall seconds, this process's CPU seconds (wall time
suffers from whatever else runs on the machine; CPU seconds do not), rows per second, the
peak resident memory growth of this process (sampled every 20 ms) and, for the sync
stages, the peak resident memory of the sandbox's processes (gunicorn workers + Celery
worker) and their CPU seconds. ``--preflight`` runs the pre-flight first and prints its
milliseconds per staff member, wall and CPU, here and in the sandbox (``--preflight-only``:
no transfer, validate or commit after it). ``--tracemalloc`` adds the peak Python heap
of each stage (slower: tracing every allocation multiplies the import check's time by
about four, so times measured with it are not comparable). A last line per stage
compares the sizes (time and memory growth per 10× rows).

Uses a throwaway SQLite database in a temporary VAR_DIR (the embedded default) unless
DATABASE_URL is set; the sandbox district there is replaced (point it at a scratch
database). ``--sizes 2000`` gives a quick run.
"""

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("sizes_positional", nargs="*", type=int, help=argparse.SUPPRESS)
parser.add_argument("--sizes", default="5000,20000,50000", help="comma-separated row counts")
parser.add_argument("--sync", action="store_true", help="also transfer, validate, commit")
parser.add_argument("--preflight", action="store_true", help="the pre-flight (with --sync)")
parser.add_argument(
    "--preflight-only", action="store_true", help="with --preflight: no transfer, validate, commit"
)
parser.add_argument("--preflight-concurrency", type=int, help="Campus calls at once (1: before)")
parser.add_argument("--tracemalloc", action="store_true", help="also the peak Python heap")
parser.add_argument("--campus-staff", type=int, default=500, help="staff already in Campus")
args = parser.parse_args()
sizes = args.sizes_positional or [int(s) for s in args.sizes.split(",") if s]

if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-boi-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.utils import timezone  # noqa: E402

import boi.services.import_check as import_check  # noqa: E402
import boi.services.imports as imports  # noqa: E402
import boi.tasks  # noqa: E402
from boi import storage  # noqa: E402
from boi.models import BoiConnection, HrRow, MappingValue, SyncRun, SyncStaff  # noqa: E402
from boi.samples import DEMO_MAPPINGS, sample_csv  # noqa: E402
from boi.services.connections import campus_lists_fetch  # noqa: E402
from boi.services.sync import commit, commit_job, runs, steps  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")

# The console's steps run here one at a time, not on a worker: nothing is enqueued.
boi.tasks.run_sync_step.delay_on_commit = lambda job_id: None
boi.tasks.check_import.delay_on_commit = lambda job_id: None
boi.tasks.poll_commit_job.apply_async_on_commit = lambda *args, **kwargs: None


def rss(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except FileNotFoundError:
        pass
    return found


class Stage:
    """Wall and CPU time, peak RSS growth here, peak RSS of the sandbox's processes."""

    def __init__(self, sandbox_pids=()):
        self.sandbox_pids = sandbox_pids

    def _sandbox_pids(self) -> list[int]:
        pids = []
        for pid in self.sandbox_pids:
            pids += [pid, *children(pid)]
        return pids

    def _sandbox_rss(self) -> int:
        return sum(rss(p) for p in self._sandbox_pids())

    def _sandbox_cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self._sandbox_pids())

    def __enter__(self):
        self.start = self.peak = rss()
        self.sandbox_start = self.sandbox_peak = self._sandbox_rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        if args.tracemalloc:
            tracemalloc.start()
        self.sandbox_c0 = self._sandbox_cpu()
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss())
            if self.sandbox_pids:
                self.sandbox_peak = max(self.sandbox_peak, self._sandbox_rss())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
        self.sandbox_cpu = self._sandbox_cpu() - self.sandbox_c0
        self.py_peak_mb = None
        if args.tracemalloc:
            self.py_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        self.running = False
        self.thread.join()
        self.growth_mb = round((max(self.peak, rss()) - self.start) / 2**20, 1)
        return False

    def fields(self, rows: int) -> dict:
        out = {
            "seconds": round(self.seconds, 2),
            "cpu_s": round(self.cpu, 2),
            "rows_per_s": round(rows / self.seconds),
            "rows_per_cpu_s": round(rows / self.cpu) if self.cpu else None,
            "rss_growth_mb": self.growth_mb,
        }
        if self.sandbox_pids:
            out["sandbox_cpu_s"] = round(self.sandbox_cpu, 2)
            out["sandbox_rss_peak_mb"] = round(self.sandbox_peak / 2**20, 1)
            out["sandbox_rss_growth_mb"] = round(
                (self.sandbox_peak - self.sandbox_start) / 2**20, 1
            )
        if self.py_peak_mb is not None:
            out["py_peak_mb"] = self.py_peak_mb
        return out


def emit(**fields):
    print(json.dumps({"bench": "boi_console", "db": db.vendor, **fields}), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mapping_tables(connection: BoiConnection) -> None:
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, campus in table.items():
            assignment, title, description = campus if kind == "job" else (campus, "", "")
            MappingValue.objects.update_or_create(
                connection=connection,
                kind=kind,
                hr_value=hr_value,
                defaults={
                    "campus_value": assignment,
                    "title_code": title,
                    "title_description": description,
                },
            )


def offline_connection() -> BoiConnection:
    """For the import alone: Campus's lists as the sandbox has them, no server."""
    connection, _ = BoiConnection.objects.update_or_create(
        name="bench (import only)",
        defaults={
            "client_id": "bench",
            "client_secret": "bench",
            "token_url": "http://127.0.0.1:9/token",
            "base_url": "http://127.0.0.1:9/api/boi/v1/",
            "campus_lists": {
                "schools": [{"code": c} for c in ("010", "020", "030", "040")],
                "genders": [{"code": c} for c in ("M", "F", "X")],
                "assignmentCodes": [{"code": c} for c in ("10", "20", "21", "30", "40")],
                "titleCodes": [],
            },
        },
    )
    mapping_tables(connection)
    return connection


class Sandbox:
    """The Campus sandbox served by gunicorn, and a Celery worker for its commit jobs."""

    def __init__(self):
        from sandbox.models import BOI_SCOPE
        from sandbox.services.clients import api_client_create

        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        settings.PUBLIC_BASE_URL = self.base
        _, creds = api_client_create(name=f"bench-{os.getpid()}", actor="bench", scopes=BOI_SCOPE)
        db.close()
        env = {**os.environ, "PUBLIC_BASE_URL": self.base}
        self.log = open(Path(settings.VAR_DIR) / "bench-sandbox.log", "w")  # noqa: SIM115
        if "CELERY_BROKER_URL" not in os.environ:
            env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL  # the filesystem broker
        self.web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "idbridge.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "idbridge",
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"bench-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pids = (self.web.pid, self.worker.pid)
        import requests

        for _ in range(300):
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.connection, _ = BoiConnection.objects.update_or_create(
            name="bench sandbox",
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
        mapping_tables(self.connection)

    def stop(self):
        for proc in (self.web, self.worker):
            proc.terminate()
        for proc in (self.web, self.worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.log.close()


def import_file(connection: BoiConnection, rows: int):
    data = sample_csv(rows, bad=rows // 40, seed=rows)
    started = time.perf_counter()
    stored = storage.store(io.BytesIO(data))
    hr_import = imports.hr_import_upload(
        connection=connection, file_name=f"bench-{rows}.csv", stored=stored, actor="bench"
    )
    upload_seconds = time.perf_counter() - started
    del data
    imports.hr_import_map_columns(
        hr_import=hr_import, column_map=hr_import.column_map, actor="bench"
    )
    with Stage() as stage:
        import_check.hr_import_check(job_id=hr_import.check_job_id, actor="bench")
    hr_import.refresh_from_db()
    emit(
        stage="import",
        rows=hr_import.row_count,
        rows_with_errors=hr_import.error_row_count,
        file_mb=round(hr_import.size_bytes / 2**20, 1),
        upload_seconds=round(upload_seconds, 2),
        **stage.fields(hr_import.row_count),
    )
    return hr_import, stage


def step(run: SyncRun, name: str) -> SyncRun:
    run.refresh_from_db()
    assert run.step == name, (run.step, name)
    steps.sync_step_run(job_id=run.step_job_id)
    run.refresh_from_db()
    if run.job == SyncRun.Job.FAILED:
        raise SystemExit(f"{name} failed: {run.last_error}")
    return run


def synchronize(sandbox: Sandbox, hr_import) -> dict[str, Stage]:
    imports.hr_rows_exclude_bad(hr_import=hr_import, actor="bench")
    run = runs.sync_run_create(hr_import=hr_import, actor="bench")  # Start is queued
    staff = run.staff_count
    stages = {}
    with Stage(sandbox.pids) as stages["transfer"]:
        run = step(run, "start")
        run = step(run, "transfer")
    emit(stage="transfer", rows=staff, **stages["transfer"].fields(staff))
    with Stage(sandbox.pids) as stages["validate"]:
        run = step(run, "end_transfer")
        run = step(run, "validate")
    summary = run.report_summary
    emit(
        stage="validate",
        rows=staff,
        add=summary.get("add"),
        update=summary.get("update"),
        error=summary.get("error"),
        **stages["validate"].fields(staff),
    )
    with Stage(sandbox.pids) as stages["commit"]:
        commit.sync_commit_request(run=run, actor="bench", verified_at=timezone.now())
        run = step(run, "commit")
        while run.commit_mode == "commitJob" and not commit_job.sync_commit_job_poll(run_id=run.id):
            time.sleep(0.5)
        run.refresh_from_db()
    if run.state != SyncRun.State.COMMITTED:
        raise SystemExit(f"commit did not finish: {run.last_error}")
    emit(
        stage="commit",
        rows=staff,
        api=run.commit_mode,
        succeeded=run.succeeded_count,
        failed=run.failed_count,
        outcomes_recorded=SyncStaff.objects.filter(run=run).exclude(outcome="pending").count(),
        **stages["commit"].fields(staff),
    )
    return stages


def preflight(sandbox: Sandbox, hr_import) -> Stage:
    """The pre-flight job, run here: ms per staff member (addresses + staff numbers)."""
    from boi.services import lookups
    from boi.services.preflight import preflight_queue, preflight_run

    if args.preflight_concurrency:
        lookups.MAX_CONCURRENCY = args.preflight_concurrency
    with mock.patch.object(boi.tasks.run_preflight, "delay_on_commit"):  # run here, not queued
        preflight_queue(hr_import=hr_import, actor="bench")
    hr_import.refresh_from_db()
    with Stage(sandbox.pids) as stage:
        preflight_run(job_id=hr_import.preflight_job_id)
    staff = HrRow.objects.filter(hr_import=hr_import, is_excluded=False, has_errors=False).count()
    summary = dict(hr_import.__class__.objects.get(id=hr_import.id).preflight_summary)
    emit(
        stage="preflight",
        staff=staff,
        concurrency=lookups.MAX_CONCURRENCY,
        ms_per_staff=round(stage.seconds * 1000 / staff, 2),
        cpu_ms_per_staff=round(stage.cpu * 1000 / staff, 2),
        sandbox_cpu_ms_per_staff=round(stage.sandbox_cpu * 1000 / staff, 2),
        **summary,
        **stage.fields(staff),
    )
    return stage


def growth(name: str, results: dict[int, Stage]) -> None:
    """How a stage grows with the rows: cost per row at each size, and the scaling of CPU
    time and memory from the smallest size to the largest (1.0 = in proportion to the
    rows; near 0 = flat)."""
    if len(results) < 2:
        return
    small, large = min(results), max(results)
    factor = large / small
    first, last = results[small], results[large]
    emit(
        stage=f"{name} growth",
        sizes=sorted(results),
        ms_per_row={n: round(s.seconds * 1000 / n, 3) for n, s in sorted(results.items())},
        cpu_ms_per_row={n: round(s.cpu * 1000 / n, 3) for n, s in sorted(results.items())},
        rss_growth_mb={n: s.growth_mb for n, s in sorted(results.items())},
        **(
            {
                "sandbox_rss_peak_mb": {
                    n: s.fields(n)["sandbox_rss_peak_mb"] for n, s in sorted(results.items())
                }
            }
            if first.sandbox_pids
            else {}
        ),
        cpu_scaling=round(last.cpu / first.cpu / factor, 2) if first.cpu else None,
        memory_scaling=round(max(last.growth_mb, 1) / max(first.growth_mb, 1) / factor, 2),
    )


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


call_command("migrate", verbosity=0)
sandbox = None
if args.sync:
    campus_reset()
    sandbox = Sandbox()
results: dict[str, dict[int, Stage]] = {}
try:
    for rows in sizes:
        if sandbox is not None and rows != sizes[0]:
            campus_reset()
        connection = sandbox.connection if sandbox else offline_connection()
        hr_import, stage = import_file(connection, rows)
        results.setdefault("import", {})[rows] = stage
        if sandbox is not None and args.preflight:
            results.setdefault("preflight", {})[rows] = preflight(sandbox, hr_import)
        if sandbox is not None and not args.preflight_only:
            for name, stage in synchronize(sandbox, hr_import).items():
                results.setdefault(name, {})[rows] = stage
    for name, by_size in results.items():
        growth(name, by_size)
finally:
    if sandbox is not None:
        sandbox.stop()
