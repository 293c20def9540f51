"""Staff discovery at district scale: initial discovery (the connection's baseline) and a
no-change poll, REST and SOAP; with ``--wave``, an invitation wave's own throughput.

Seeds ``--staff`` staff (default 100,000) into a throwaway SQLite database in a temporary
VAR_DIR (or the database DATABASE_URL names), serves the Campus sandbox with gunicorn and
runs idbridge's own poller against it over real HTTP, as a deployment would. Prints one
JSON object per measurement: seconds, persons read, HTTP requests and authentications
(from the sandbox's counters), cases opened, the connection's ``max_concurrency`` and the
CPU it took (this process, the gunicorn server, the whole machine). Invitations are
queued on an in-memory broker (their sending is not part of discovery). ``--staff 2000``
gives a quick run; ``--concurrency 1,4`` discovers the district once per value, each on a
connection of its own. The first poll of a SOAP connection is also its first full
reconciliation (every staff member read again with GetPerson).

The sandbox runs under gunicorn with ``--server-workers`` processes of
``--server-threads`` threads (gthread): with one sync worker, requests in flight at once
would only queue.

A connection's first poll is its baseline: every staff member is recorded as existing and
nobody is invited (``existing`` and ``invitations`` say so). ``--wave`` then invites them
all in one invitation wave with no pace limit, its runs done in this process one after
the other as a worker would do them (each a batch of STAFF_WAVE_BATCH, then the next), the
invitation mail written to the embedded outbox: invitations per hour sustained by the
wave itself, without the broker's round trip per batch. ``--wave-limit N`` stops it after
N invitations (a quicker figure).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--staff", type=int, default=100_000)
parser.add_argument("--students", type=int, default=2_000)
parser.add_argument("--kinds", default="rest,soap")
parser.add_argument("--page-size", type=int, default=1000)
parser.add_argument(
    "--concurrency",
    default="2",
    help="comma-separated max_concurrency values to run (Campus requests in flight at once)",
)
parser.add_argument("--server-workers", type=int, default=2)
parser.add_argument("--server-threads", type=int, default=4)
parser.add_argument("--wave", action="store_true", help="then invite everyone in a wave")
parser.add_argument("--wave-limit", type=int, default=0, help="stop the wave after N (0: all)")
args = parser.parse_args()
concurrencies = [int(value) for value in args.concurrency.split(",")]

if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-discovery-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ["CAMPUS_SANDBOX_CONTROL_TOKEN"] = control_token = "bench-" + os.urandom(8).hex()
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from idbridge.jobs.models import Job  # noqa: E402
from idbridge.jobs.services import job_execute  # noqa: E402
from sandbox.services.clients import api_client_create  # noqa: E402
from sandbox.services.seed import district_seed  # noqa: E402
from staff import polling  # noqa: E402
from staff.models import CampusConnection, Invitation, OnboardingCase  # noqa: E402
from staff.services.existing import Scope  # noqa: E402
from staff.services.waves import wave_create, wave_step  # noqa: E402
from staff.transitions import State  # noqa: E402


def emit(**fields):
    print(json.dumps({"bench": "discovery", "db": connection.vendor, **fields}), flush=True)


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of a process and its children (gunicorn's workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == root or int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wave_run(limit: int) -> None:
    """Invite every existing staff member in one wave with no pace, as a worker would."""
    wave = wave_create(scope=Scope(), pace_per_hour=None, actor="bench")
    started, runs = time.perf_counter(), 0
    while True:
        job = Job.objects.get(id=wave.job_id)
        if job.state != "running" and runs or (limit and job.done >= limit):
            break
        job_execute(job.id, wave_step, token=job.claim if job.state == "running" else None)
        runs += 1
    seconds = time.perf_counter() - started
    invited = Invitation.objects.count()
    emit(
        measure="wave, no pace limit",
        staff=wave.total,
        invitations=invited,
        runs=runs,
        batch=settings.STAFF_WAVE_BATCH,
        state=Job.objects.get(id=wave.job_id).state,
        seconds=round(seconds, 1),
        invitations_per_hour=round(invited * 3600 / seconds),
        per_invitation_ms=round(seconds * 1000 / max(invited, 1), 2),
        cores=os.cpu_count(),
        load_1m=round(os.getloadavg()[0], 2),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


call_command("migrate", verbosity=0)
report = district_seed(
    staff=args.staff, students=args.students, seed=3, actor="bench", replace=True
)
emit(measure="seed", staff=args.staff, students=args.students, seconds=report.seconds)
_, creds = api_client_create(name=f"bench-{os.getpid()}", actor="bench")
connection.close()

port = free_port()
base = f"http://localhost:{port}"
settings.PUBLIC_BASE_URL = base
server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "idbridge.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.server_workers),
        "--threads",
        str(args.server_threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
    ],
    cwd=ROOT,
    env={**os.environ, "PUBLIC_BASE_URL": base},
    start_new_session=True,
)
http = requests.Session()
control = {"Authorization": f"Bearer {control_token}"}


def counters() -> dict:
    return http.get(f"{base}/sandbox/campus/_counters", headers=control, timeout=30).json()


try:
    for _ in range(150):
        try:
            if http.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)
    for kind, concurrency in [(k, c) for k in args.kinds.split(",") for c in concurrencies]:
        fields = (
            {
                "token_url": creds["token_url"].replace("http://localhost:8000", base),
                "rostering_base_url": creds["oneroster_base_url"].replace(
                    "http://localhost:8000", base
                )
                + "/",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "page_size": args.page_size,
            }
            if kind == "rest"
            else {
                "wsdl_url": creds["wsdl_url"].replace("http://localhost:8000", base),
                "soap_username": creds["soap_username"],
                "soap_password": creds["soap_password"],
                "miss_run_limit": 50,
            }
        )
        conn = CampusConnection.objects.create(
            name=f"bench {kind} x{concurrency}", kind=kind, max_concurrency=concurrency, **fields
        )
        for run in ("initial", "no-change"):
            http.post(f"{base}/sandbox/campus/_counters/reset", headers=control, timeout=30)
            cases_before = OnboardingCase.objects.count()
            busy_before, total_before = cpu_ticks()
            server_before, client_before = tree_cpu_seconds(server.pid), time.process_time()
            started = time.perf_counter()
            counts = polling.connection_poll(connection_id=conn.id)
            seconds = time.perf_counter() - started
            busy_after, total_after = cpu_ticks()
            c = counters()
            c = c.get("counters", c)
            emit(
                measure=f"{kind} {run} discovery",
                staff=args.staff,
                max_concurrency=concurrency,
                server=f"gunicorn {args.server_workers}x{args.server_threads} gthread",
                seconds=round(seconds, 2),
                persons_read=counts["read"],
                new_cases=OnboardingCase.objects.count() - cases_before,
                existing=OnboardingCase.objects.filter(state=State.EXISTING).count(),
                invitations=Invitation.objects.count(),
                requests=sum(
                    v for k, v in c.items() if k.startswith(("soap", "oneroster", "oauth"))
                ),
                get_person=c.get("soap.GetPerson", 0),
                authentications=c.get("soap.Authenticate", 0) + c.get("oauth.token", 0),
                per_staff_ms=round(seconds * 1000 / max(args.staff, 1), 3),
                client_cpu_s=round(time.process_time() - client_before, 1),
                server_cpu_s=round(tree_cpu_seconds(server.pid) - server_before, 1),
                machine_busy_pct=round(
                    100 * (busy_after - busy_before) / max(total_after - total_before, 1), 1
                ),
                cores=os.cpu_count(),
                load_1m=round(os.getloadavg()[0], 2),
            )
        if args.wave:
            wave_run(args.wave_limit)
        # The next run discovers the same district from scratch.
        OnboardingCase.objects.all().delete()
finally:
    server.terminate()
    server.wait(timeout=30)
