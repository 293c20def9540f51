"""Staff onboarding's part of `make demo` (order 20): Campus connections to the sandbox.

The sandbox's demo step (which runs first) leaves the demo API client's credentials in
``var/campus_demo_client.json``; here they become two Campus connections, as an
administrator would type them in: Cloud REST (polling every minute) and legacy SOAP
(disabled: one switch away). Idempotent; URLs follow PUBLIC_BASE_URL on every run.

``demo_baseline_take`` then takes the REST connection's baseline (the sandbox's demo step
calls it before it hires a few people, whom the worker's first poll invites).
"""

import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.servers.basehttp import (
    ThreadedWSGIServer,
    WSGIRequestHandler,
    get_internal_wsgi_application,
)

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusError
from idbridge.core.demo import demo_step
from staff.models import CampusConnection
from staff.polling import connection_poll

REST_NAME = "Campus sandbox (Cloud REST)"
SOAP_NAME = "Campus sandbox (legacy SOAP)"


@demo_step(order=20, name="campus connections")
def staff_demo_setup(stdout) -> None:
    path = Path(settings.VAR_DIR) / "campus_demo_client.json"
    if not path.exists():
        stdout.write("No sandbox API client credentials found; skipping Campus connections.")
        return
    creds = json.loads(path.read_text())
    base, app = settings.PUBLIC_BASE_URL, creds["app_name"]
    rest, created = CampusConnection.objects.get_or_create(
        name=REST_NAME, defaults={"kind": CampusConnection.Kind.REST, "poll_interval_seconds": 60}
    )
    rest.token_url = f"{base}/sandbox/campus/oauth2/token?appName={app}"
    rest.rostering_base_url = (
        f"{base}/sandbox/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2/"
    )
    rest.client_id = creds["client_id"]
    rest.client_secret = creds["client_secret"]
    rest.save()
    soap, _ = CampusConnection.objects.get_or_create(
        name=SOAP_NAME,
        defaults={
            "kind": CampusConnection.Kind.SOAP,
            "enabled": False,
            "poll_interval_seconds": 60,
        },
    )
    soap.wsdl_url = f"{base}/sandbox/campus/services/IdentityService?wsdl"
    soap.soap_username = creds["soap_username"]
    soap.soap_password = creds["soap_password"]
    soap.save()
    if created:
        audit_record(
            actor="manage.py demo",
            action="staff.connection.created",
            target=rest,
            details={"demo": True},
        )
    stdout.write(
        f"Campus connections: “{REST_NAME}” polls every minute; “{SOAP_NAME}” is ready "
        "(enable it on the Onboarding page: it finds the same people, no one twice)."
    )


@contextmanager
def app_served_at(base_url: str):
    """Serve this Django app at ``base_url`` in a thread while the block runs (the demo's
    web server is not started yet). Yields False, serving nothing, when the URL is not
    local or its port is taken: then nobody here can answer for it."""
    url = urlsplit(base_url)
    host = {"localhost": "127.0.0.1"}.get(url.hostname or "", url.hostname)
    if host not in ("127.0.0.1", "::1", "0.0.0.0"):  # noqa: S104 - the demo's own URL
        yield False
        return
    try:
        server = ThreadedWSGIServer((host, url.port or 80), _QuietHandler)
    except OSError:
        yield False
        return
    server.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield True
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def demo_baseline_take(stdout) -> bool:
    """Take the demo REST connection's baseline now, over HTTP to this app's sandbox: the
    seeded staff are recorded as existing and nobody is invited. False when it was taken
    before (or cannot be taken here: the worker's first poll will take it)."""
    rest = CampusConnection.objects.filter(name=REST_NAME, enabled=True).first()
    if rest is None or rest.baseline_at is not None:
        return False
    started = time.monotonic()
    with app_served_at(settings.PUBLIC_BASE_URL) as serving:
        if not serving:
            stdout.write(
                f"{settings.PUBLIC_BASE_URL} is not free: the first poll takes the baseline."
            )
            return False
        try:
            connection_poll(connection_id=rest.id, actor="manage.py demo")
        except CampusError as exc:
            stdout.write(f"Baseline not taken ({exc}): the first poll will take it.")
            return False
    rest.refresh_from_db()
    stdout.write(
        f"Baseline of “{REST_NAME}”: {rest.baseline_count} existing staff recorded; 0 invited "
        f"({time.monotonic() - started:.1f} s)."
    )
    return True
