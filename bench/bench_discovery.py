"""Staff discovery at district scale: initial discovery and a no-change poll, REST and SOAP.

Seeds ``--staff`` staff (default 100,000) into a throwaway SQLite database in a temporary
VAR_DIR (or the database DATABASE_URL names), serves the Campus sandbox with gunicorn and
runs idbridge's own poller against it over real HTTP, as a deployment would. Prints one
JSON object per measurement: seconds, persons read, HTTP requests and authentications
(from the sandbox's counters), cases opened. Invitations are queued on an in-memory
broker (their sending is not part of discovery). ``--staff 2000`` gives a quick run.
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
args = parser.parse_args()

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

from campus.services.clients import api_client_create  # noqa: E402
from campus.services.seed import district_seed  # noqa: E402
from staff import polling  # noqa: E402
from staff.models import CampusConnection, OnboardingCase  # noqa: E402


def emit(**fields):
    print(json.dumps({"bench": "discovery", "db": connection.vendor, **fields}), flush=True)


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
        "2",
        "--threads",
        "4",
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
    for kind in args.kinds.split(","):
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
        conn = CampusConnection.objects.create(name=f"bench {kind}", kind=kind, **fields)
        for run in ("initial", "no-change"):
            http.post(f"{base}/sandbox/campus/_counters/reset", headers=control, timeout=30)
            cases_before = OnboardingCase.objects.count()
            started = time.perf_counter()
            counts = polling.connection_poll(connection_id=conn.id)
            seconds = time.perf_counter() - started
            c = counters()
            c = c.get("counters", c)
            emit(
                measure=f"{kind} {run} discovery",
                staff=args.staff,
                seconds=round(seconds, 2),
                persons_read=counts["read"],
                new_cases=OnboardingCase.objects.count() - cases_before,
                requests=sum(
                    v for k, v in c.items() if k.startswith(("soap", "oneroster", "oauth"))
                ),
                authentications=c.get("soap.Authenticate", 0) + c.get("oauth.token", 0),
                per_staff_ms=round(seconds * 1000 / max(args.staff, 1), 3),
            )
        # The next kind discovers the same district from scratch.
        OnboardingCase.objects.all().delete()
finally:
    server.terminate()
    server.wait(timeout=30)
