"""Step-up IdP: signing cost, and the "sso" case against SimpleSAMLphp in the same run.

1. Signing alone (in-process, no server): one enveloped RSA-SHA256 signature, and a whole
   signed Response (+ signed Assertion) as idbridge builds it (``stepup.saml.assertion``)
   and as pysaml2's ``create_authn_response`` builds it on the same in-process backend.
2. The "sso" case: IdP session already established, an AuthnRequest in (HTTP-Redirect,
   unique ID, prepared before the clock starts) and the signed Response out (the
   auto-submit form, checked). idbridge runs as ``make demo`` runs it (gunicorn with
   ``idbridge/gunicorn_conf.py``, the embedded SQLite default); SimpleSAMLphp under a
   private Apache + mod_php (prefork) with the same key, SP and a static user
   (``bench/simplesamlphp.py``). One light client per concurrent browser drives both
   (:class:`Client`). Per concurrency level and round the servers run one after the
   other, the load average beside each row; server CPU per response is the servers'
   utime + stime from ``/proc/<pid>/stat`` (less moved by other work than the rates).

Where SimpleSAMLphp, Apache, mod_php or php-xml is not installed, its rows are skipped
with the reason (CI does not install them). Prints one JSON object per line; the last
ones (``bench: "sso.compare"``) are the per-concurrency medians over the rounds and the
ratios. Uses a throwaway SQLite database in a temporary VAR_DIR. Not part of ``make test``.
"""

import argparse
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--requests", type=int, default=300, help="round trips per run")
parser.add_argument("--concurrency", default="1,4,16", help="concurrent clients, comma-separated")
parser.add_argument("--rounds", type=int, default=2, help="runs per server and concurrency")
parser.add_argument("--sign-iterations", type=int, default=200)
parser.add_argument("--no-simplesamlphp", action="store_true", help="idbridge only")
parser.add_argument(
    "--wsgi",
    default="idbridge.wsgi:application",
    help="the WSGI application gunicorn serves (sso_floor:application: the floor; or a "
    "profiling wrapper on PYTHONPATH)",
)
parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make demo: 2)")
args = parser.parse_args()
LEVELS = [int(c) for c in args.concurrency.split(",") if c.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
os.environ.pop("DATABASE_URL", None)  # as `make demo` runs: the embedded SQLite default
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "idbridge.settings",
        "PUBLIC_BASE_URL": BASE,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
    }
)

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
import simplesamlphp  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from saml2 import BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.client import Saml2Client  # noqa: E402
from saml2.sigver import pre_signature_part  # noqa: E402

from idbridge.saml_crypto import (  # noqa: E402
    DIGEST_SHA256,
    SIG_RSA_SHA256,
    InProcessCryptoBackend,
)
from staff.models import CampusConnection, OnboardingCase  # noqa: E402
from staff.transitions import State  # noqa: E402
from stepup.ceremonies.signin import subject_from_member  # noqa: E402
from stepup.saml.keys import generate_key_pair  # noqa: E402
from stepup.saml.metadata import parse_sp_metadata  # noqa: E402
from stepup.services.service_providers import service_provider_register  # noqa: E402
from stepup.services.signing_keys import signing_key_ensure  # noqa: E402
from tests.staff.conftest import discovered, person  # noqa: E402
from tests.stepup.conftest import (  # noqa: E402
    SP_ACS,
    SP_ENTITY_ID,
    signed_in_session,
    sp_config,
    sp_metadata,
)


def emit(**data):
    print(json.dumps(data), flush=True)  # one JSON object per line


def summary(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 2),
    }


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- setup: the IdP's key, the SP, a verified staff member --------------------------------

call_command("migrate", verbosity=0)
key = signing_key_ensure()
KEY_PEM, CERT_PEM = key.private_key.reveal(), key.certificate
workdir = Path(tempfile.mkdtemp(prefix="idbridge-bench-keys-"))
sp_pair = generate_key_pair("sp.test")
(workdir / "sp.key").write_text(sp_pair.private_key_pem)
(workdir / "sp.crt").write_text(sp_pair.certificate_pem)
SP_KEYS = SimpleNamespace(key=str(workdir / "sp.key"), cert=str(workdir / "sp.crt"))
service_provider_register(
    metadata=parse_sp_metadata(sp_metadata(SP_KEYS)),
    actor="bench",
    released_attributes=["email", "roles"],
)
member = discovered(CampusConnection.objects.create(name="Bench", kind="rest"), person())
OnboardingCase.objects.filter(staff_member=member).update(state=State.VERIFIED)
member.refresh_from_db()
SUBJECT = subject_from_member(member)

from stepup.runtime import runtime  # noqa: E402
from stepup.saml.idp import authn_response, identity_for, name_id_for  # noqa: E402

RT = runtime()


# --- 1. signing alone ------------------------------------------------------------------


def signing_benchmarks() -> None:
    backend = InProcessCryptoBackend(KEY_PEM, CERT_PEM)
    samples = []
    for i in range(args.sign_iterations):
        sig = pre_signature_part(f"id-{i}", sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        xml = (
            '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="id-{i}" Version="2.0" IssueInstant="2026-03-02T09:00:00Z">'
            f"<saml:Issuer>{BASE}/idp/metadata</saml:Issuer>{sig.to_string().decode()}"
            "</saml:Assertion>"
        )
        t0 = time.perf_counter()
        backend.sign_statement(
            xml, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", None, f"id-{i}"
        )
        samples.append(time.perf_counter() - t0)
    emit(bench="sso.sign_one_signature", iterations=len(samples), **summary(samples))
    name_id = name_id_for(
        fmt="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        secret=RT.nameid_secret,
        idp_entity_id=RT.idp.spec.entity_id,
        sp_entity_id=SP_ENTITY_ID,
        subject_id=SUBJECT.subject_id,
        email=SUBJECT.email,
    )
    common = {
        "in_response_to": "id-bench",
        "destination": SP_ACS,
        "sp_entity_id": SP_ENTITY_ID,
        "name_id": name_id,
        "identity": identity_for(SUBJECT.attribute_values(), ["email", "roles"]),
    }
    builders = {
        "idbridge_one_tree": lambda: authn_response(
            RT.idp,
            class_ref="https://refeds.org/profile/mfa",
            authn_instant=timezone.now(),
            **common,
        ),
        "pysaml2_create_authn_response": lambda: RT.idp.server.create_authn_response(
            authn={"class_ref": "https://refeds.org/profile/mfa"},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **common,
        ),
    }
    for name, build in builders.items():
        samples = []
        for _ in range(args.sign_iterations):
            t0 = time.perf_counter()
            build()
            samples.append(time.perf_counter() - t0)
        emit(
            bench="sso.build_signed_response",
            builder=name,
            iterations=len(samples),
            **summary(samples),
        )


# --- 2. the "sso" case -----------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(root_pid: int) -> float:
    """CPU seconds of ``root_pid`` and its live children (utime + stime), plus what its
    reaped children used (cutime + cstime), from /proc/<pid>/stat."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root_pid:
            total += sum(int(f) for f in fields[11:15])
        elif ppid == root_pid:
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


class Server:
    """One IdP under test: how to prepare request URLs, and sessions for clients."""

    def __init__(self, name: str, pid: int, sp: Saml2Client, idp_entity_id: str):
        self.name, self.pid, self.sp, self.idp_entity_id = name, pid, sp, idp_entity_id
        self.clients: list[Client] = []

    def urls(self, n: int) -> list[str]:
        out = []
        for _ in range(n):
            _, info = self.sp.prepare_for_authenticate(
                entityid=self.idp_entity_id, binding=BINDING_HTTP_REDIRECT
            )
            out.append(dict(info["headers"])["Location"])
        return out


def check(response: requests.Response) -> None:
    if response.status_code != 200 or 'name="SAMLResponse"' not in response.text:
        raise RuntimeError(f"unexpected answer {response.status_code}: {response.text[:300]}")


class Client:
    """One browser with an established session, light (the servers share the two cores
    with it): one keep-alive ``http.client`` connection, the request prepared before the
    clock starts. The same client drives both IdPs; its CPU is reported beside theirs."""

    def __init__(self, base: str, cookies: requests.cookies.RequestsCookieJar):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in cookies)}
        self.connection = http.client.HTTPConnection(self.host, int(self.port), timeout=60)

    def get(self, url: str) -> None:
        path = "/" + url.split("://", 1)[1].partition("/")[2]
        for attempt in (1, 2):  # once more when the server closed the idle connection
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.connection.close()
                if attempt == 2:
                    raise
        if response.status != 200 or b'name="SAMLResponse"' not in body:
            raise RuntimeError(f"unexpected answer {response.status}: {body[:300]!r}")


def run(server: Server, concurrency: int, n: int) -> dict:
    """``n`` round trips by ``concurrency`` clients, each with its own session."""
    work: queue.SimpleQueue = queue.SimpleQueue()
    for url in server.urls(n):
        work.put(url)
    samples: list[float] = []
    errors: list[str] = []

    def client(browser: Client) -> None:
        while True:
            try:
                url = work.get_nowait()
            except queue.Empty:
                return
            t0 = time.perf_counter()
            try:
                browser.get(url)
            except Exception as exc:  # noqa: BLE001 - reported below, the run goes on
                errors.append(str(exc)[:200])
                continue
            samples.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client, args=(c,)) for c in server.clients[:concurrency]]
    cpu0, t0 = process_cpu_seconds(server.pid), time.perf_counter()
    client_cpu0 = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - t0, process_cpu_seconds(server.pid) - cpu0
    client_cpu = time.process_time() - client_cpu0
    if errors:
        raise SystemExit(f"{server.name}: {len(errors)} failed round trips, e.g. {errors[0]}")
    return {
        "server": server.name,
        "concurrency": concurrency,
        "requests": len(samples),
        "responses_per_s": round(len(samples) / wall, 1),
        "cpu_ms_per_response": round(cpu * 1000 / len(samples), 2),
        "client_cpu_ms_per_response": round(client_cpu * 1000 / len(samples), 2),
        "load_average": load_average(),
        **summary(samples),
    }


def start_gunicorn() -> subprocess.Popen:
    """As ``make demo`` starts the web server (idbridge/core/management/commands/demo.py)."""
    log = open(Path(os.environ["VAR_DIR"]) / "bench-gunicorn.log", "w")  # noqa: SIM115
    command = [sys.executable, "-m", "gunicorn", args.wsgi]
    command += ["-c", "python:idbridge.gunicorn_conf", "--bind", f"127.0.0.1:{PORT}"]
    command += ["--pythonpath", str(ROOT / "bench")]  # for --wsgi sso_floor:application
    command += ["--log-level", "warning", "--workers", str(args.workers), "--graceful-timeout", "5"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{BASE}/idp/metadata", timeout=10).raise_for_status()
            return server
        except requests.RequestException:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log.name}")
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def idbridge_server(process: subprocess.Popen) -> Server:
    sp = Saml2Client(sp_config(SP_KEYS, idp_metadata=RT.idp.metadata_xml))
    server = Server("idbridge", process.pid, sp, RT.idp.spec.entity_id)
    for _ in range(max(LEVELS)):
        session = requests.Session()
        session.cookies.set("sessionid", signed_in_session(SUBJECT))
        server.clients.append(Client(BASE, session.cookies))
    return server


def ssp_server(ssp: simplesamlphp.SimpleSamlPhp) -> Server:
    """SimpleSAMLphp with one established session per client (the static user signs in
    on the first request, as a browser would, following redirects)."""
    metadata = requests.get(ssp.metadata_url, timeout=30).text
    sp = Saml2Client(sp_config(SP_KEYS, idp_metadata=metadata))
    server = Server("simplesamlphp", ssp.process.pid, sp, ssp.metadata_url)
    for url in server.urls(max(LEVELS)):
        session = requests.Session()
        check(session.get(url, timeout=60))  # signs in: redirects, then the Response
        server.clients.append(Client(ssp.base_url, session.cookies))
    return server


SSP_ATTRIBUTES = {  # what idbridge releases to the SP: mail and roles, as URIs
    "urn:oid:0.9.2342.19200300.100.1.3": [SUBJECT.email],
    "urn:idbridge:attribute:campus-roles": list(SUBJECT.roles),
}


FIGURES = ("responses_per_s", "cpu_ms_per_response", "client_cpu_ms_per_response")
FIGURES += ("median_ms", "p95_ms", "load_average")


def compare(rows: list[dict]) -> None:
    for level in LEVELS:
        medians = {}
        for name in ("idbridge", "simplesamlphp"):
            mine = [r for r in rows if r["server"] == name and r["concurrency"] == level]
            if mine:
                medians[name] = {
                    key: round(statistics.median(r[key] for r in mine), 2) for key in FIGURES
                }
        result = {"bench": "sso.compare", "concurrency": level, **medians}
        if len(medians) == 2:
            idb, ssp = medians["idbridge"], medians["simplesamlphp"]
            result["throughput_ratio"] = round(idb["responses_per_s"] / ssp["responses_per_s"], 2)
            result["cpu_ratio"] = round(ssp["cpu_ms_per_response"] / idb["cpu_ms_per_response"], 2)
        emit(**result)


def main() -> None:
    signing_benchmarks()
    reason = "--no-simplesamlphp" if args.no_simplesamlphp else simplesamlphp.unavailable()
    if reason:
        emit(bench="sso.round_trip", server="simplesamlphp", skipped=reason)
    gunicorn = start_gunicorn()
    ssp = None
    try:
        servers = [idbridge_server(gunicorn)]
        if not reason:
            sp_entry = simplesamlphp.sp_metadata_entry(SP_ENTITY_ID, SP_ACS, list(SSP_ATTRIBUTES))
            ssp = simplesamlphp.SimpleSamlPhp(
                port=free_port(),
                key_pem=KEY_PEM,
                cert_pem=CERT_PEM,
                sp={SP_ENTITY_ID: sp_entry},
                user={"uid": [SUBJECT.subject_id], **SSP_ATTRIBUTES},
                workers=max(LEVELS),
            ).__enter__()
            servers.append(ssp_server(ssp))
        for server in servers:  # warm up: every worker builds its IdP, opcache fills
            run(server, max(LEVELS), 4 * max(LEVELS))
        rows = []
        for level in LEVELS:
            for round_no in range(args.rounds):
                for server in servers if round_no % 2 == 0 else servers[::-1]:
                    rows.append(run(server, level, args.requests))
                    emit(bench="sso.round_trip", round=round_no + 1, **rows[-1])
        compare(rows)
    finally:
        stop(gunicorn)
        if ssp is not None:
            ssp.__exit__(None, None, None)


main()
