"""Staff onboarding's part of `make demo` (order 20): Campus connections to the sandbox.

The sandbox's demo step (which runs first) leaves the demo API client's credentials in
``var/campus_demo_client.json``; here they become two Campus connections, as an
administrator would type them in: Cloud REST (polling every minute) and legacy SOAP
(disabled: one switch away). Idempotent; URLs follow PUBLIC_BASE_URL on every run.
"""

import json
from pathlib import Path

from django.conf import settings

from idbridge.audit.services import audit_record
from idbridge.core.demo import demo_step
from staff.models import CampusConnection

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
        "(enable it on the Onboarding page to poll over SOAP instead)."
    )
