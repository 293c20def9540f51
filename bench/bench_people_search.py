"""Pre-flight's search among every Campus person (``boi.services.person_search``): its
cost for N new hires that Campus's staff search did not find.

A district of ``--students`` students (with their parents and guardians) and 500 staff is
seeded into the Campus sandbox, served over HTTP in this process (a threaded WSGI server).
For each size an import of N HR staff missing in Campus is recorded (rows and staff checks
written directly: the BOI part of the pre-flight is ``bench_boi_console.py --preflight``),
a tenth of them named as a Campus student or parent with their birth date, the rest named
from the same name lists with birth dates no Campus person has. Then the people search
runs and one JSON line is printed: wall and CPU seconds, milliseconds per new hire,
OneRoster requests (users pages, demographics), distinct family names and the likely
duplicates found. Family names are looked up one query each, or every user is read in one
paged pass when that takes fewer requests (``PAGE_COST_IN_NAME_QUERIES``).

Uses a throwaway SQLite database in a temporary VAR_DIR. ``--sizes 50,2000`` is the default.
"""

import argparse
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", default="50,2000", help="comma-separated new hire counts")
parser.add_argument("--students", type=int, default=10000, help="students in the district")
parser.add_argument("--page-size", type=int, default=1000, help="OneRoster page size")
args = parser.parse_args()

os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-people-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from boi.models import BoiConnection, HrImport, HrRow, StaffCheck  # noqa: E402
from boi.services.person_search import fold, people_duplicates_find  # noqa: E402
from idbridge.connectors.rest import RestConnector  # noqa: E402
from idbridge.wsgi import application  # noqa: E402
from sandbox.generator.data import FEMALE_FIRST, LAST_NAMES, MALE_FIRST  # noqa: E402
from sandbox.models import Identity, Person  # noqa: E402
from sandbox.selectors import is_staff_expression  # noqa: E402
from sandbox.services.clients import api_client_create  # noqa: E402
from sandbox.services.seed import district_seed  # noqa: E402
from staff.models import CampusConnection  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *a):
        pass


class ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, application, ThreadedServer, QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://localhost:{port}"


def connections(base: str) -> BoiConnection:
    settings.PUBLIC_BASE_URL = base
    _, creds = api_client_create(name="bench people", actor="bench")
    people = CampusConnection.objects.create(
        name="bench OneRoster",
        kind="rest",
        token_url=creds["token_url"],
        rostering_base_url=creds["oneroster_base_url"] + "/",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        page_size=args.page_size,
        request_timeout_seconds=300,
    )
    return BoiConnection.objects.create(
        name="bench BOI",
        client_id="unused",
        client_secret="unused",
        token_url=f"{base}/unused",
        base_url=f"{base}/unused/",
        people_connection=people,
    )


def campus_people(count: int) -> list[tuple[str, str, str]]:
    """(last, first, birth date) of Campus persons who are not staff."""
    ids = Person.objects.exclude(pk__in=Person.objects.filter(is_staff_expression()))
    ids = ids.filter(birth_date__isnull=False).order_by("?").values_list("pk", "birth_date")
    birth = dict(ids[:count])
    names = Identity.objects.filter(person_id__in=birth, is_current=True)
    return [(i.last_name, i.first_name, birth[i.person_id].isoformat()) for i in names]


def new_hires(connection: BoiConnection, size: int, rng: random.Random) -> HrImport:
    known = campus_people(size // 10)
    firsts = FEMALE_FIRST + MALE_FIRST
    made_up = [
        (rng.choice(LAST_NAMES), rng.choice(firsts), f"19{rng.randrange(10, 40)}-02-29")
        for _ in range(size - len(known))
    ]  # 29 February of a year that has none: no Campus person is born then
    hr_import = HrImport.objects.create(
        connection=connection, file_name=f"{size}.csv", file_format="csv", sha256="0" * 64
    )
    rows = HrRow.objects.bulk_create(
        HrRow(
            hr_import=hr_import,
            row_number=n + 2,
            staff_number=f"N{n:06d}",
            last_name=last,
            first_name=first,
            birth_date=birth,
        )
        for n, (last, first, birth) in enumerate(known + made_up)
    )
    StaffCheck.objects.bulk_create(
        StaffCheck(
            hr_import=hr_import,
            row=row,
            staff_number=row.staff_number,
            outcome=StaffCheck.Outcome.MISSING,
        )
        for row in rows
    )
    return hr_import


def measure(hr_import: HrImport, size: int) -> dict:
    calls = {"users": 0, "demographics": 0, "users_s": 0.0, "demographics_s": 0.0}
    original = RestConnector._get
    lock = threading.Lock()  # the requests are sent side by side (CampusLookups)

    def counted(self, url, params=None, *, what):
        kind = "demographics" if "/demographics" in url else "users"  # a page or one
        started = time.perf_counter()
        try:
            return original(self, url, params, what=what)
        finally:
            with lock:
                calls[kind] += 1
                calls[f"{kind}_s"] += time.perf_counter() - started

    RestConnector._get = counted
    rows = HrRow.objects.filter(hr_import=hr_import)
    families = len({fold(r.last_name) for r in rows})
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        found = people_duplicates_find(hr_import=hr_import)
    finally:
        RestConnector._get = original
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "bench": "people_search",
        "new_hires": size,
        "family_names": families,
        "likely_duplicates": found,
        "wall_s": round(wall, 2),
        "cpu_s_here_and_sandbox": round(cpu, 2),
        "ms_per_new_hire": round(wall * 1000 / size, 2),
        "oneroster_users_requests": calls["users"],
        "oneroster_demographics_requests": calls["demographics"],
        "users_requests_s": round(calls["users_s"], 2),
        "demographics_requests_s": round(calls["demographics_s"], 2),
    }


call_command("migrate", verbosity=0)
seeded = time.perf_counter()
district_seed(staff=500, students=args.students, seed=3, actor="bench")
print(
    json.dumps(
        {
            "bench": "people_search_district",
            "persons": Person.objects.count(),
            "seed_s": round(time.perf_counter() - seeded, 1),
            "load_average": os.getloadavg()[0],
        }
    ),
    flush=True,
)
connection = connections(serve())
rng = random.Random(7)
for size in [int(s) for s in args.sizes.split(",") if s]:
    result = measure(new_hires(connection, size, rng), size)
    print(json.dumps({**result, "load_average": round(os.getloadavg()[0], 1)}), flush=True)
