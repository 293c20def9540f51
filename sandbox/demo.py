"""The Campus sandbox's part of `make demo` (registered in idbridge.core.demo.DEMO_STEPS).

Idempotent: the district is seeded only into an empty sandbox, and the demo API client is
created once; its credentials are kept in ``var/campus_demo_client.json`` (mode 0600)
because the sandbox stores the client secret hashed and cannot show it again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password

from sandbox.models import BOI_SCOPE, ApiClient, Person
from sandbox.services.clients import (
    api_client_create,
    api_client_rotate_secret,
    api_client_rotate_soap_password,
    client_credentials,
)
from sandbox.services.seed import district_seed, sandbox_is_empty

DEMO_CLIENT_NAME = "idbridge"
DEMO_STAFF = 300
DEMO_STUDENTS = 600
DEMO_SEED = 2026
ACTOR = "manage.py demo"


def demo_client_path() -> Path:
    return Path(settings.VAR_DIR) / "campus_demo_client.json"


def _write(path: Path, credentials: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(credentials, f, indent=2)


def demo_client_ensure() -> dict:
    """The demo API client's credentials (created, or re-issued if the file was lost)."""
    path = demo_client_path()
    stored = json.loads(path.read_text()) if path.exists() else None
    client = ApiClient.objects.select_related("application").filter(name=DEMO_CLIENT_NAME).first()
    if client is not None and BOI_SCOPE not in client.scope_list:
        # A demo client made before the sandbox had its BOI API: the console needs it.
        client.scopes = f"{client.scopes} {BOI_SCOPE}".strip()
        client.save(update_fields=["scopes"])
    if client is None:
        _, credentials = api_client_create(name=DEMO_CLIENT_NAME, actor=ACTOR)
        _write(path, credentials)
        return credentials
    if (
        stored
        and stored.get("client_id") == client.application.client_id
        and check_password(stored.get("client_secret", ""), client.application.client_secret)
        and client.soap_password.reveal() == stored.get("soap_password")
    ):
        return stored
    credentials = client_credentials(
        client,
        client_secret=api_client_rotate_secret(client=client, actor=ACTOR),
        soap_password=api_client_rotate_soap_password(client=client, actor=ACTOR),
    )
    _write(path, credentials)
    return credentials


def sandbox_demo_setup(stdout) -> dict:
    if sandbox_is_empty():
        report = district_seed(
            staff=DEMO_STAFF, students=DEMO_STUDENTS, seed=DEMO_SEED, actor=ACTOR
        )
        stdout.write(
            f"Campus sandbox seeded: {DEMO_STAFF} staff, {DEMO_STUDENTS} students "
            f"({report.counts.get('person', 0)} persons) in {report.seconds:.1f} s."
        )
    else:
        stdout.write(f"Campus sandbox has its district ({Person.objects.count()} persons).")
    credentials = demo_client_ensure()
    stdout.write(
        "Campus sandbox: /sandbox/ on the dashboard; SOAP WSDL at "
        "/sandbox/campus/services/IdentityService?wsdl; OneRoster app "
        f"'{credentials['app_name']}'; demo client credentials in {demo_client_path()}."
    )
    return credentials
