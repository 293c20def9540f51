"""Step-up IdP: signing cost, and complete SSO round trips against gunicorn.

1. Signing alone: one enveloped RSA-SHA256 signature, and a whole signed Response (+
   signed Assertion), with the in-process python-xmlsec backend vs pysaml2's default
   ``xmlsec1`` subprocess backend (that row only where the ``xmlsec1`` program is
   installed: idbridge itself never runs it).
2. SSO round trips: gunicorn on a free localhost port, a registered SP, an established
   SSO session (a passkey check a minute ago); each round trip is an AuthnRequest in
   (HTTP-Redirect, unique ID) and the signed Response out (the auto-submit form).
   Sequentially, then with concurrent clients. Request URLs are prepared before the clock
   starts, so only the IdP is measured.

Prints one JSON object per line. Uses a throwaway SQLite database in a temporary
VAR_DIR unless DATABASE_URL is set. Bounded: ``--requests`` (default 300) per run.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--requests", type=int, default=300, help="round trips per run")
parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
parser.add_argument("--sign-iterations", type=int, default=200)
args = parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
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
from django.core.management import call_command  # noqa: E402
from saml2 import BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.client import Saml2Client  # noqa: E402
from saml2.sigver import CryptoBackendXmlSec1, pre_signature_part  # noqa: E402

from idbridge.saml_crypto import (  # noqa: E402
    DIGEST_SHA256,
    SIG_RSA_SHA256,
    InProcessCryptoBackend,
)
from stepup.models import ServiceProvider  # noqa: E402
from stepup.saml.metadata import parse_sp_metadata  # noqa: E402
from stepup.services.service_providers import service_provider_register  # noqa: E402
from stepup.services.signing_keys import signing_key_ensure  # noqa: E402
from tests.stepup.conftest import (  # noqa: E402
    make_subject,
    signed_in_session,
    sp_config,
    sp_metadata,
)


def emit(**data):
    print(json.dumps(data), flush=True)


def summary(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 2),
    }


# --- 1. signing alone ---------------------------------------------------------------

call_command("migrate", verbosity=0)
key = signing_key_ensure()
key_pem, cert_pem = key.private_key.reveal(), key.certificate
workdir = Path(tempfile.mkdtemp(prefix="idbridge-bench-keys-"))
(workdir / "idp.key").write_text(key_pem)
(workdir / "sp.key").write_text(key_pem)
(workdir / "sp.crt").write_text(cert_pem)

ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"


def template(element_id: str) -> str:
    sig = pre_signature_part(element_id, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    attributes = "".join(
        f'<saml:Attribute Name="urn:oid:{n}"><saml:AttributeValue>value {n}</saml:AttributeValue>'
        "</saml:Attribute>"
        for n in range(8)
    )
    return (
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{element_id}" Version="2.0" IssueInstant="2026-03-02T09:00:00Z">'
        f"<saml:Issuer>{BASE}/idp/metadata</saml:Issuer>{sig.to_string().decode()}"
        f"<saml:Subject><saml:NameID>{'a' * 64}</saml:NameID></saml:Subject>"
        f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion>"
    )


# pysaml2's default backend, for comparison, only where the xmlsec1 program is installed.
XMLSEC1 = shutil.which("xmlsec1")
backends = {
    "in_process_python_xmlsec": (InProcessCryptoBackend(key_pem, cert_pem), None),
}
if XMLSEC1:
    backends["xmlsec1_subprocess"] = (CryptoBackendXmlSec1(XMLSEC1), str(workdir / "idp.key"))
else:
    emit(bench="sso.sign_one_signature", backend="xmlsec1_subprocess", skipped="no xmlsec1")
started = time.perf_counter()
InProcessCryptoBackend(key_pem, cert_pem)
emit(
    bench="sso.key_load",
    backend="in_process_python_xmlsec",
    ms=round((time.perf_counter() - started) * 1000, 2),
)
for name, (backend, key_file) in backends.items():
    iterations = (
        args.sign_iterations if name.startswith("in_process") else min(50, args.sign_iterations)
    )
    samples = []
    for i in range(iterations):
        xml = template(f"id-{i}")
        t0 = time.perf_counter()
        backend.sign_statement(xml, ASSERTION, key_file, f"id-{i}")
        samples.append(time.perf_counter() - t0)
    emit(bench="sso.sign_one_signature", backend=name, iterations=iterations, **summary(samples))

# A whole Response (signed Assertion inside a signed Response), through pysaml2.
sp_keys = type("K", (), {"key": str(workdir / "sp.key"), "cert": str(workdir / "sp.crt")})
sp_xml = sp_metadata(sp_keys)
if not ServiceProvider.objects.filter(entity_id=parse_sp_metadata(sp_xml).entity_id).exists():
    service_provider_register(
        metadata=parse_sp_metadata(sp_xml), actor="bench", released_attributes=["email", "roles"]
    )
from stepup.runtime import runtime  # noqa: E402
from stepup.saml.idp import authn_response, identity_for, name_id_for  # noqa: E402

rt = runtime()
sp_entity = parse_sp_metadata(sp_xml).entity_id
subject = make_subject()


def one_response(idp):
    return authn_response(
        idp,
        in_response_to="id-bench",
        destination="https://sp.test/saml/acs",
        sp_entity_id=sp_entity,
        name_id=name_id_for(
            fmt="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            secret=b"k" * 32,
            idp_entity_id=idp.spec.entity_id,
            sp_entity_id=sp_entity,
            subject_id=subject.subject_id,
            email=subject.email,
        ),
        identity=identity_for(subject.attribute_values(), ["email", "roles"]),
        class_ref="https://refeds.org/profile/mfa",
        authn_instant=django.utils.timezone.now(),
    )


in_process = rt.idp.server.sec.crypto
response_backends = [("in_process_python_xmlsec", in_process, args.sign_iterations)]
if XMLSEC1:
    response_backends.append(
        ("xmlsec1_subprocess", CryptoBackendXmlSec1(XMLSEC1), min(30, args.sign_iterations))
    )
for name, crypto, iterations in response_backends:
    rt.idp.server.sec.crypto = crypto
    rt.idp.server.sec.key_file = None if crypto is in_process else str(workdir / "idp.key")
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        one_response(rt.idp)
        samples.append(time.perf_counter() - t0)
    emit(bench="sso.build_signed_response", backend=name, iterations=iterations, **summary(samples))
rt.idp.server.sec.crypto, rt.idp.server.sec.key_file = in_process, None

# --- 2. SSO round trips against gunicorn -------------------------------------------------

session_key = signed_in_session(subject)
client = Saml2Client(sp_config(sp_keys, idp_metadata=rt.idp.metadata_xml))


def prepare(n: int) -> list[str]:
    urls = []
    for _ in range(n):
        _, info = client.prepare_for_authenticate(
            entityid=f"{BASE}/idp/metadata", binding=BINDING_HTTP_REDIRECT
        )
        urls.append(dict(info["headers"])["Location"])
    return urls


log = open(Path(os.environ.get("VAR_DIR", tempfile.gettempdir())) / "bench-gunicorn.log", "w")  # noqa: SIM115
server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "idbridge.wsgi",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ],
    cwd=ROOT,
    env=os.environ.copy(),
    stdout=log,
    stderr=subprocess.STDOUT,
    start_new_session=True,
)


def round_trip(session: requests.Session, url: str) -> float:
    t0 = time.perf_counter()
    response = session.get(url, allow_redirects=False, timeout=30)
    elapsed = time.perf_counter() - t0
    if response.status_code != 200 or 'name="SAMLResponse"' not in response.text:
        raise RuntimeError(f"unexpected answer {response.status_code}: {response.text[:300]}")
    return elapsed


try:
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{BASE}/idp/metadata", timeout=10).raise_for_status()
            break
        except requests.RequestException:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log.name}")
            time.sleep(0.2)

    def new_session():
        s = requests.Session()
        s.cookies.set("sessionid", session_key)
        return s

    warm = new_session()
    for url in prepare(4 * args.workers):  # every worker builds its IdP once
        round_trip(warm, url)

    urls = prepare(args.requests)
    s = new_session()
    t0 = time.perf_counter()
    samples = [round_trip(s, url) for url in urls]
    wall = time.perf_counter() - t0
    emit(
        bench="sso.round_trip",
        mode="sequential",
        requests=len(samples),
        gunicorn_workers=args.workers,
        db=django.db.connection.vendor,
        responses_per_s=round(len(samples) / wall, 1),
        **summary(samples),
    )

    urls = prepare(args.requests)
    sessions = [new_session() for _ in range(args.concurrency)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        samples = list(
            pool.map(
                lambda iu: round_trip(sessions[iu[0] % args.concurrency], iu[1]), enumerate(urls)
            )
        )
    wall = time.perf_counter() - t0
    emit(
        bench="sso.round_trip",
        mode="concurrent",
        concurrency=args.concurrency,
        requests=len(samples),
        gunicorn_workers=args.workers,
        db=django.db.connection.vendor,
        responses_per_s=round(len(samples) / wall, 1),
        **summary(samples),
    )
finally:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()
