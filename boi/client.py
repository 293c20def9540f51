"""Glue: a BoiConnection row → a BoiClient, with the shared (encrypted) token cache and the
error log as its ``on_error``."""

from __future__ import annotations

import requests

from idbridge.connectors.boi.client import BoiClient
from idbridge.connectors.boi.types import BoiSettings, CallFailure
from staff.connectors import EncryptedCache

# Tests swap this for an in-process fake of the BOI API.
session_factory = requests.Session


def client_for(connection, *, run=None, session=None) -> BoiClient:
    from boi.services.errorlog import error_log_record

    def on_error(failure: CallFailure) -> None:
        error_log_record(connection=connection, run=run, failure=failure)

    return BoiClient(
        BoiSettings(
            token_url=connection.token_url,
            base_url=connection.base_url,
            client_id=connection.client_id,
            client_secret=connection.client_secret.reveal(),
            scope=connection.scope,
            timeout=float(connection.request_timeout_seconds),
        ),
        EncryptedCache(),
        f"boi:{connection.id}:{connection.client_id}",
        session=session or session_factory(),
        on_error=on_error,
    )
