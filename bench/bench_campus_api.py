"""Campus sandbox at district scale: seed time, OneRoster pages and deltas, SOAP GetPerson.

Seeds ``--staff`` (default 100,000) staff into a throwaway SQLite database in a temporary
VAR_DIR (or the database DATABASE_URL names), starts gunicorn on it and times, over real
HTTP with ``requests`` and zeep:

- a OneRoster page of 1,000 users (first, middle and last page of the table);
- a delta query (``dateLastModified>…``) that matches 10 users;
- a SOAP GetPerson (after one Authenticate).

Prints one JSON object per measurement. ``--staff 2000`` gives a quick run.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--staff", type=int, default=100_000)
parser.add_argument("--students", type=int, default=10_000)
parser.add_argument("--repeat", type=int, default=20, help="timed requests per measurement")
args = parser.parse_args()

if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-campus-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ["CAMPUS_SANDBOX_CONTROL_TOKEN"] = control_token = "bench-" + os.urandom(8).hex()
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
import zeep  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from zeep.transports import Transport  # noqa: E402
from zeep.wsse.username import UsernameToken  # noqa: E402

from sandbox.models import Person  # noqa: E402
from sandbox.services.clients import api_client_create  # noqa: E402
from sandbox.services.people import person_touch  # noqa: E402
from sandbox.services.seed import district_seed  # noqa: E402


def emit(**fields):
    print(json.dumps({"bench": "campus_api", "db": connection.vendor, **fields}), flush=True)


def timed(fn, repeat):
    samples = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return result, {
        "median_ms": round(statistics.median(samples), 1),
        "p90_ms": round(sorted(samples)[max(0, int(len(samples) * 0.9) - 1)], 1),
        "min_ms": round(min(samples), 1),
        "runs": repeat,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


call_command("migrate", verbosity=0)
cpu_started = time.process_time()
report = district_seed(
    staff=args.staff, students=args.students, seed=1, actor="bench", replace=True
)
emit(
    measure="seed",
    cpu_seconds=round(time.process_time() - cpu_started, 1),
    load_average=os.getloadavg()[0],
    staff=args.staff,
    students=args.students,
    persons=report.counts["person"],
    rows=sum(v for k, v in report.counts.items() if k not in ("staff", "students")),
    seconds=report.seconds,
)
_, credentials = api_client_create(name=f"bench-{os.getpid()}", actor="bench")
connection.close()

port = free_port()
base = f"http://localhost:{port}"
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
try:
    http = requests.Session()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if http.get(f"{base}/healthz", timeout=10).status_code in (200, 503):
                break
        except requests.RequestException:
            time.sleep(0.5)
    control = {"Authorization": f"Bearer {control_token}"}
    http.post(f"{base}/sandbox/campus/_counters/reset", headers=control, timeout=10)

    # --- OneRoster ---------------------------------------------------------------------
    token_response, token_stats = timed(
        lambda: http.post(
            f"{base}/sandbox/campus/oauth2/token",
            params={"appName": credentials["app_name"]},
            data={"grant_type": "client_credentials"},
            auth=(credentials["client_id"], credentials["client_secret"]),
            timeout=30,
        ),
        3,
    )
    token = token_response.json()["access_token"]
    emit(measure="oauth_token", **token_stats)
    users = (
        f"{base}/sandbox/campus/api/oneroster/v1p2/{credentials['app_name']}"
        "/ims/oneroster/rostering/v1p2/users"
    )
    bearer = {"Authorization": f"Bearer {token}"}
    total = report.counts["person"]
    for label, offset in (("first", 0), ("middle", total // 2), ("last", total - 1000)):
        response, stats = timed(
            lambda offset=offset: http.get(
                users, params={"limit": 1000, "offset": offset}, headers=bearer, timeout=60
            ),
            args.repeat,
        )
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["users"]) == 1000
        emit(
            measure="oneroster_page_1000",
            page=label,
            offset=offset,
            total=int(response.headers["X-Total-Count"]),
            bytes=len(response.content),
            **stats,
        )

    changed = list(Person.objects.order_by("?").values_list("pk", flat=True)[:10])
    since = datetime.now(UTC) - timedelta(seconds=1)
    person_touch(person_ids=changed)
    connection.close()
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    response, stats = timed(
        lambda: http.get(
            users,
            params={"filter": f"dateLastModified>'{stamp}'", "limit": 1000},
            headers=bearer,
            timeout=60,
        ),
        args.repeat,
    )
    assert sorted(int(u["sourcedId"]) for u in response.json()["users"]) == sorted(changed)
    emit(measure="oneroster_delta_10", matched=int(response.headers["X-Total-Count"]), **stats)

    # --- SOAP ----------------------------------------------------------------------------
    soap = zeep.Client(
        f"{base}/sandbox/campus/services/IdentityService?wsdl",
        wsse=UsernameToken(
            credentials["soap_username"], credentials["soap_password"], use_digest=True
        ),
        transport=Transport(session=requests.Session()),
    )
    session, auth_stats = timed(soap.service.Authenticate, 3)
    emit(measure="soap_authenticate", **auth_stats)
    ids = iter(Person.objects.filter(assignments__isnull=False).values_list("pk", flat=True)[:5000])
    connection.close()
    person, stats = timed(
        lambda: soap.service.GetPerson(personID=next(ids), sessionID=session.sessionID),
        args.repeat * 5,
    )
    assert person.isStaff
    emit(measure="soap_get_person", **stats)

    counters = http.get(f"{base}/sandbox/campus/_counters", headers=control, timeout=10).json()
    emit(
        measure="counters",
        **{k: v for k, v in counters["counters"].items() if v},
    )
finally:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)
