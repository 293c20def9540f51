"""The Business Office console's part of `make demo` (order 40, after the sandbox's step):
a BOI connection to the Campus sandbox with the demo mapping tables.

Idempotent. The sandbox's demo API client credentials are read from the file the sandbox's
demo step writes (``var/campus_demo_client.json``); idbridge never imports the sandbox.
The sample HR export to try is ``docs/samples/hr_export_sample.csv``.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction

from boi.models import BoiConnection, MappingValue
from boi.samples import DEMO_MAPPINGS
from idbridge.audit.services import audit_record
from idbridge.core.demo import demo_step
from staff.demo import REST_NAME
from staff.models import CampusConnection

NAME = "Campus sandbox"
ACTOR = "manage.py demo"
BASE_PATH = "/sandbox/campus/api/boi/v1/"


@demo_step(order=40, name="business office connection")
def boi_demo_setup(stdout) -> BoiConnection | None:
    path = settings.VAR_DIR / "campus_demo_client.json"
    if not path.exists():
        stdout.write("Business Office console: no sandbox client credentials; skipped.")
        return None
    credentials = json.loads(path.read_text())
    with transaction.atomic():
        connection, created = _connection_ensure(credentials)
        _demo_mappings_ensure(connection)
        _people_connection_ensure(connection)
        if created:
            audit_record(
                actor=ACTOR,
                action="boi.connection.saved",
                target=connection,
                details={"demo": True, "base_url": connection.base_url},
            )
    stdout.write(
        f"Business Office console: connection “{NAME}” to the sandbox's BOI API; "
        "sample HR export in docs/samples/hr_export_sample.csv."
    )
    return connection


def _connection_ensure(credentials: dict) -> tuple[BoiConnection, bool]:
    """The demo connection, created or brought up to date with ``credentials`` and
    PUBLIC_BASE_URL (a changed one goes back to NEW, to be checked again)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    values = {
        "client_id": credentials["client_id"],
        "token_url": credentials.get("token_url")
        or f"{base}/sandbox/campus/oauth2/token?appName={credentials['app_name']}",
        "base_url": base + BASE_PATH,
    }
    connection, created = BoiConnection.objects.get_or_create(
        name=NAME, defaults={**values, "client_secret": credentials["client_secret"]}
    )
    if not created and (
        connection.client_secret.reveal() != credentials["client_secret"]
        or any(getattr(connection, k) != v for k, v in values.items())
    ):
        for k, v in values.items():
            setattr(connection, k, v)
        connection.client_secret = credentials["client_secret"]
        connection.status = BoiConnection.Status.NEW
        connection.save()
    return connection, created


def _people_connection_ensure(connection: BoiConnection) -> None:
    """Pre-flight searches students and parents over the demo's OneRoster connection."""
    people = CampusConnection.objects.filter(name=REST_NAME, kind="rest").first()
    if people is not None and connection.people_connection_id is None:
        connection.people_connection = people
        connection.save(update_fields=["people_connection"])


def _demo_mappings_ensure(connection: BoiConnection) -> None:
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, campus in table.items():
            assignment, title, description = campus if kind == "job" else (campus, "", "")
            MappingValue.objects.update_or_create(
                connection=connection,
                kind=kind,
                hr_value=hr_value,
                defaults={
                    "campus_value": assignment,
                    "title_code": title,
                    "title_description": description,
                },
            )
