"""Dashboard lists at district size: the onboarding list (``/staff/``) and the outbox.

Seeds ``--cases`` onboarding cases (default 20,000: staff members, timelines, invitations)
and ``--messages`` outbox messages (default 50,000, each a whole MIME invitation), then
serves idbridge under gunicorn as ``make demo`` does (``-c python:idbridge.gunicorn_conf``,
two workers unless WEB_WORKERS says otherwise) and has ``--clients`` concurrent clients
(default 20), each signed in as a district admin, load one page each in a loop. Per page:
the first page, a deep page (a keyset cursor half-way down the list) and a search. Staff
are named from a roster's few hundred surnames and first names, the common ones far more
often (of 20,000, 189 have a word starting "nowak" and 382 one starting "maria"), and
their search words, like the messages', are written as discovery and the mail backend
write them.

Prints one JSON object per page: requests, req/s, p50 / p95 / p99 in ms, the server's
and the clients' CPU per request. Uses a
throwaway SQLite database in a temporary VAR_DIR unless DATABASE_URL is set (then the
database should be empty: the seed is added to it).
"""

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=20_000)
parser.add_argument("--messages", type=int, default=50_000)
parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
parser.add_argument("--requests", type=int, default=400, help="requests per page measured")
parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
parser.add_argument("--tree", default="", help="serve this checkout instead (before/after)")
parser.add_argument(
    "--var-dir", default="", help="keep the SQLite seed here (reused when run again)"
)
args = parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = args.var_dir or tempfile.mkdtemp(prefix="idbridge-bench-lists-")
    Path(os.environ["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "idbridge.settings",
        "PUBLIC_BASE_URL": BASE,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
)

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.test import Client  # noqa: E402

from idbridge.core.models import OutboxMessage, OutboxSearchWord, outbox_search_text  # noqa: E402
from idbridge.core.paging import cursor_from  # noqa: E402
from idbridge.core.roles import DISTRICT_ADMIN  # noqa: E402
from idbridge.search import search_words_write, words_of  # noqa: E402
from staff.models import (  # noqa: E402
    CampusConnection,
    CaseEvent,
    Invitation,
    OnboardingCase,
    StaffMember,
    StaffSearchWord,
)
from staff.transitions import State  # noqa: E402

# A roster's names: a few hundred, the first ones far more common (weights 1 / (rank + k),
# as a district's surnames and first names run), a few spelt with accents.
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Nowak Walker Young Allen King Wright Scott Torres
Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales
Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim
Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price
Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell
Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan
Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison
Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman
Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz
Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills
Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley
Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray
Delgado Berry Perkins Hoffman Johnston Matthews Peña Richards Contreras Willis Carpenter
Lawrence Sandoval Kowalski Nowakowski Okafor Rossi Ali Nuñez Wiśniewski Larsen""".split()
FIRST = """James Mary Michael Patricia Robert Jennifer John Linda David Elizabeth Maria
William Barbara Richard Susan Joseph Jessica Thomas Karen Christopher Sarah Charles Lisa
Daniel Nancy Matthew Sandra Anthony Betty Mark Ashley Donald Emily Steven Kimberly Andrew
Margaret Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa Timothy
Deborah Ronald Stephanie George Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan
Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda
Larry Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine
Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Jack Catherine
Dennis Heather Jerry Diane Tyler Olivia Aaron Julie José Joyce Adam Victoria Nathan Ruth
Henry Virginia Zachary Lauren Douglas Kelly Peter Christina Kyle Joan Noah Evelyn Ethan
Judith Jeremy Andrea Christian Hannah Walter Megan Keith Cheryl Austin Jacqueline Roger
Martha Terry Madison Sean Teresa Gerald Gloria Carl Sara Dylan Janice Harold Ann Jordan
Kathryn Jesse Abigail Bryan Sophia Lawrence Frances Arthur Jean Gabriel Alice Bruce Judy
Logan Isabella Billy Julia Joe Grace Alan Amber Juan Denise Elijah Danielle Willie Marilyn
Albert Beverly Wayne Charlotte Randy Natalie Mason Theresa Vincent Diana Liam Brittany Roy
Doris Bobby Kayla Caleb Alexis Bradley Lori Russell Marie Mariana Piotr Fatima Omar Zoë
Łukasz Renée Siobhán Mohammed Wei Priya Ana Sam""".split()
STATES = [State.VERIFIED] * 5 + [State.INVITED] * 2 + [State.EXISTING] * 2 + [State.PROOFING]
BATCH = 2000


def emit(**data):
    print(json.dumps(data), flush=True)


def weights(names: list[str], k: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank + k) for rank in range(1, len(names) + 1)))


FIRST_WEIGHTS, LAST_WEIGHTS = weights(FIRST, 5), weights(LAST, 10)


def staff_member(connection, i: int, rng, addresses: dict) -> StaffMember:
    """Staff member ``i``: a roster's name, an address made of it (``maria.nowak2@``)."""
    first = rng.choices(FIRST, cum_weights=FIRST_WEIGHTS)[0]
    last = rng.choices(LAST, cum_weights=LAST_WEIGHTS)[0]
    local = ".".join("".join(words_of(name)) for name in (first, last))
    addresses[local] = addresses.get(local, 0) + 1
    suffix = addresses[local] if addresses[local] > 1 else ""
    member = StaffMember(
        connection=connection,
        campus_key=f"p-{i}",
        campus_person_id=100_000 + i,
        staff_number=f"S{i:06d}",
        first_name=first,
        last_name=last,
        work_email=f"{local}{suffix}@district.example",
        roles=["teacher"],
        schools=[f"{100 + i % 40}"],
    )
    member.search_text_refresh()  # bulk_create does not call save()
    return member


def seed_cases(n: int, now: datetime) -> None:
    rng, addresses = random.Random(17), {}
    connection = CampusConnection.objects.create(name="Bench REST", kind="rest")
    for start in range(0, n, BATCH):
        members = StaffMember.objects.bulk_create(
            [
                staff_member(connection, i, rng, addresses)
                for i in range(start, min(start + BATCH, n))
            ]
        )
        search_words_write(StaffSearchWord, "staff_member_id", members, new=True)
        cases = OnboardingCase.objects.bulk_create(
            [
                OnboardingCase(
                    staff_member=m,
                    state=rng.choice(STATES),
                    created_at=now - timedelta(seconds=rng.randrange(90 * 86400)),
                )
                for m in members
            ]
        )
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case=c, at=c.created_at, actor_label="bench", event="discover")
                for c in cases
            ]
            + [
                CaseEvent(case=c, at=c.created_at, actor_label="bench", event="verify")
                for c in cases
                if c.state == State.VERIFIED
            ]
        )
        Invitation.objects.bulk_create(
            [
                Invitation(
                    case=c,
                    secret_hash=f"{c.id:064x}",
                    sent_to=c.staff_member.work_email,
                    created_at=c.created_at,
                    expires_at=c.created_at + timedelta(days=3),
                )
                for c in cases
                if c.state != State.EXISTING
            ]
        )


def seed_messages(n: int, now: datetime) -> None:
    body = "Hello,\n\nSet up your sign-in for the district: open the link below.\n" * 8
    raw = "Content-Type: multipart/alternative\n\n" + body * 4
    for start in range(0, n, BATCH):
        messages = []
        for i in range(start, min(start + BATCH, n)):
            subject = "Set up your district sign-in" if i % 5 else "Audit checkpoint"
            to = [f"staff{i % 20000}@district.example"]
            messages.append(
                OutboxMessage(
                    subject=subject,
                    from_email="idbridge@district.example",
                    to=to,
                    body_text=body,
                    body_html=f"<p>{body}</p>",
                    raw=raw,
                    search_text=outbox_search_text(to, subject),  # save() is not called
                )
            )
        OutboxMessage.objects.bulk_create(messages)
        search_words_write(OutboxSearchWord, "message_id", messages, new=True)
    # auto_now_add stamped them all "now": spread them over 90 days, newest last.
    with db.cursor() as cursor:
        ids = list(OutboxMessage.objects.order_by("id").values_list("id", flat=True))
        step = 90 * 86400 / max(len(ids), 1)
        rows = [(now - timedelta(seconds=(len(ids) - k) * step), pk) for k, pk in enumerate(ids)]
        table = OutboxMessage._meta.db_table
        cursor.executemany(f"UPDATE {table} SET created_at = %s WHERE id = %s", rows)  # noqa: S608


def deep_cursor(model, fraction: float = 0.5) -> str:
    total = model.objects.count()
    row = model.objects.order_by("-created_at", "-id")[int(total * fraction)]
    return cursor_from(row.created_at, row.pk)


def signed_in_cookie() -> str:
    admin, _ = User.objects.get_or_create(username="bench_admin")
    admin.groups.add(Group.objects.get(name=DISTRICT_ADMIN))
    client = Client()
    client.force_login(admin)
    return client.cookies["sessionid"].value


def percentile(ms: list[float], p: float) -> float:
    return round(ms[min(len(ms) - 1, max(0, round(len(ms) * p / 100) - 1))], 1)


def workers_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of the gunicorn master's workers so far: what a page costs
    the server, whatever else the machine is doing (the database server's own CPU is not
    in it on PostgreSQL)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Browser:
    """One client: a kept-alive HTTP/1.1 connection with the session cookie, as a browser
    holds one (``http.client`` rather than ``requests``, whose per-request work cost the
    bench about 2 ms of CPU on the cores the server runs on)."""

    def __init__(self, cookie: str):
        self.headers = {"Cookie": f"sessionid={cookie}", "Accept": "text/html"}
        self.connection = None

    def get(self, path: str) -> tuple[int, bytes, bool]:
        """(status, body, whether the kept-alive connection had to be opened again)."""
        resent = False
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
            except (ConnectionError, http.client.HTTPException):
                # The server closed the kept-alive connection as the request left: send it
                # again on a new one, as a browser does (counted in the output).
                self.close()
                if attempt:
                    raise
                resent = True
                continue
            if response.will_close:
                self.close()
            return response.status, body, resent
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def measure(name: str, path: str, cookie: str, expect: str, master: int) -> None:
    browsers, resets = [], []
    mine = threading.local()  # one client per thread: a connection is not shared

    def one(i: int) -> float:
        if not hasattr(mine, "browser"):
            mine.browser = Browser(cookie)
            browsers.append(mine.browser)
        t0 = time.perf_counter()
        status, body, resent = mine.browser.get(path)
        elapsed = time.perf_counter() - t0
        if resent:
            resets.append(i)
        if status != 200 or expect.encode() not in body:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        return elapsed

    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, range(args.clients * 2)))  # warm every worker and connection
        cpu0, t0 = workers_cpu_seconds(master), time.perf_counter()
        client0 = time.process_time()
        samples = list(pool.map(one, range(args.requests)))
        wall = time.perf_counter() - t0
        cpu = workers_cpu_seconds(master) - cpu0
        client_cpu = time.process_time() - client0
    ms = sorted(s * 1000 for s in samples)
    emit(
        bench="lists",
        page=name,
        path=path,
        db=db.vendor,
        clients=args.clients,
        requests=len(ms),
        req_per_s=round(len(ms) / wall, 1),
        p50_ms=round(statistics.median(ms), 1),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        server_cpu_ms_per_request=round(cpu * 1000 / len(ms), 1),
        client_cpu_ms_per_request=round(client_cpu * 1000 / len(ms), 1),
        load_average=round(os.getloadavg()[0], 1),
        resent_after_reset=len(resets),
    )
    for browser in browsers:
        browser.close()


def serve():
    log = open(Path(os.environ.get("VAR_DIR", tempfile.gettempdir())) / "bench-lists.log", "w")  # noqa: SIM115
    command = [sys.executable, "-m", "gunicorn", "idbridge.wsgi:application"]
    command += ["-c", "python:idbridge.gunicorn_conf", "--bind", f"127.0.0.1:{PORT}"]
    command += ["--log-level", "warning"]
    if not os.environ.get("WEB_WORKERS"):
        command += ["--workers", "2"]  # as `make demo` runs it
    server = subprocess.Popen(
        command,
        cwd=args.tree or ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{BASE}/healthz", timeout=10).raise_for_status()
            return server, log
        except requests.RequestException:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log.name}") from None
            time.sleep(0.3)


def main() -> None:
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    if not OnboardingCase.objects.exists():
        seed_cases(args.cases, now)
    if not OutboxMessage.objects.exists():
        seed_messages(args.messages, now)
    with db.cursor() as cursor:
        # On PostgreSQL as autovacuum leaves a table some time after a bulk load: the
        # visibility map set, so an index-only scan need not visit the table's rows.
        cursor.execute("ANALYZE" if db.vendor == "sqlite" else "VACUUM ANALYZE")
    emit(
        bench="lists.seed",
        db=db.vendor,
        cases=OnboardingCase.objects.count(),
        messages=OutboxMessage.objects.count(),
        seconds=round(time.perf_counter() - t0, 1),
    )
    cookie = signed_in_cookie()
    pages = [
        ("staff.first", "/staff/", "Cases"),
        ("staff.deep", f"/staff/?after={deep_cursor(OnboardingCase)}", "Newest"),
        ("staff.search", "/staff/?q=nowak+maria", "Cases"),
        ("outbox.first", "/outbox/", "Outbox"),
        ("outbox.deep", f"/outbox/?after={deep_cursor(OutboxMessage)}", "Newest"),
        ("outbox.search", "/outbox/?q=staff1234%40district.example", "Outbox"),
    ]
    wanted = set(filter(None, args.pages.split(",")))
    db.close()
    server, log = serve()
    try:
        for name, path, expect in pages:
            if not wanted or name in wanted:
                measure(name, path, cookie, expect, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


main()
