"""Staff onboarding's part of `make demo` (order 20): Campus connections to the sandbox.

The sandbox's demo step (which runs first) leaves the demo API client's credentials in
``var/campus_demo_client.json``; here they become two Campus connections, as an
administrator would type them in: Cloud REST (polling every minute) and legacy SOAP
(disabled: one switch away). Idempotent; URLs follow PUBLIC_BASE_URL on every run.

``demo_baseline_take`` then takes the REST connection's baseline (the sandbox's demo step
calls it before it hires a few people, whom the worker's first poll invites).

Then (order 27) the demo administrator, whom the sandbox hired before the baseline (an
existing staff member, found by their staff number): a dashboard account linked to their
onboarding case with the District admin role, and an invitation whose one-time link
``make demo`` prints (``demo_admin_enroll``).
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
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusError
from idbridge.core.demo import DEMO_ADMIN_FILE, demo_admin_read, demo_step, private_json_write
from idbridge.core.roles import DISTRICT_ADMIN
from staff.models import CampusConnection, Invitation, OnboardingCase, StaffMember
from staff.polling import connection_poll
from staff.services.cases import OnboardingError
from staff.services.dashboard_roles import (
    RoleChangeRefused,
    dashboard_roles_set_before_onboarding,
)
from staff.services.invitations import invitation_resend
from staff.services.proofing import proofing_waive_for_operator
from staff.transitions import State

REST_NAME = "Campus sandbox (Cloud REST)"
SOAP_NAME = "Campus sandbox (legacy SOAP)"
# The staff number of the demo administrator the sandbox's demo step hires.
DEMO_ADMIN_STAFF_NUMBER = "990001"
ACTOR = "manage.py demo"
WAIVER = (
    "the demo administrator: the set-up made their Campus record for whoever runs "
    "make demo and prints their link on that person's terminal"
)


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


@demo_step(order=27, name="demo administrator")
def demo_admin_setup(stdout) -> dict:
    """Link the demo administrator's case to a dashboard account holding the District
    admin role and keep their one-time enrollment link for ``make demo`` to print."""
    member = (
        StaffMember.objects.select_related("case", "dashboard_user")
        .filter(staff_number=DEMO_ADMIN_STAFF_NUMBER, case__isnull=False)
        .first()
    )
    admin = {"name": "", "staff_number": DEMO_ADMIN_STAFF_NUMBER, "roles": [DISTRICT_ADMIN]}
    if member is None:
        admin["problem"] = "not found in Campus yet: the first poll finds them"
    else:
        admin["name"] = member.display_name
        try:
            dashboard_roles_set_before_onboarding(member, [DISTRICT_ADMIN], actor=ACTOR)
            admin.update(demo_admin_enroll(member.case))
        except (OnboardingError, RoleChangeRefused) as exc:  # e.g. a revoked case
            admin["problem"] = str(exc)
    _demo_admin_keep(admin)
    if admin.get("problem"):
        stdout.write(f"Demo administrator: no enrollment link ({admin['problem']}).")
    else:
        stdout.write(f"Demo administrator: {admin['name']} (staff {DEMO_ADMIN_STAFF_NUMBER}).")
    return admin


def demo_admin_enroll(case: OnboardingCase) -> dict:
    """The demo administrator's one-time enrollment link (its path): the last one while it
    is still unused, else a new invitation with the proofing waived; none once they are
    verified (they sign in with their passkey)."""
    if case.state == State.VERIFIED:
        return {"link_path": "", "invitation_id": None}
    kept = demo_admin_read() or {}
    waiting = Invitation.objects.filter(
        id=kept.get("invitation_id"),
        case=case,
        used_at__isnull=True,
        superseded_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if case.state == State.INVITED and kept.get("link_path") and waiting.exists():
        return {"link_path": kept["link_path"], "invitation_id": kept["invitation_id"]}
    invitation, link = invitation_resend(case=case, actor=ACTOR, reason="demo administrator")
    proofing_waive_for_operator(case=case, actor=ACTOR, reason=WAIVER)
    return {
        "link_path": link.removeprefix(settings.PUBLIC_BASE_URL),
        "invitation_id": invitation.id,
    }


def _demo_admin_keep(admin: dict) -> None:
    private_json_write(Path(settings.VAR_DIR) / DEMO_ADMIN_FILE, admin)
