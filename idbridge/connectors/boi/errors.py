"""Campus's refusals: a refused request, refused credentials, and what Campus said."""

from __future__ import annotations

import requests

from idbridge.connectors.types import PermanentCampusError


class BoiRefused(PermanentCampusError):
    """Campus refused the request (4xx); ``errors`` are its ``{"field","code","message"}``."""

    def __init__(self, message: str, *, status: int, errors: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or []


class BoiCredentialsRejected(PermanentCampusError):
    """The token endpoint refused the Client ID / Secret (e.g. the secret was rotated)."""


def refusal_details(response: requests.Response) -> tuple[str, list[dict]]:
    """A refusal's message in words, and Campus's ``{"field", "code", "message"}`` errors."""
    try:
        body = response.json()
    except ValueError:
        return "", []
    if not isinstance(body, dict):
        return "", []
    errors = body.get("errors")
    if isinstance(errors, list):
        clean = [e for e in errors if isinstance(e, dict)]
        text = "; ".join(
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in clean[:5]
        )
        return text, clean
    detail = body.get("error_description") or body.get("message") or body.get("error") or ""
    return str(detail), []
