"""What every ceremony shares: the relying party, the challenge kept in the session
between options and verify, the browser's answer, and refusals (rate limits: ``limits``)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse

from stepup import webauthn

TOO_MANY = "Too many attempts. Wait a minute and try again."


class CeremonyRefused(Exception):
    """The ceremony cannot go on; the message is safe to show, ``status`` is the HTTP one."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def json_error(message: str, status: int) -> JsonResponse:
    """A ceremony endpoint's refusal, as the browser script reads it."""
    return JsonResponse({"error": message}, status=status)


def relying_party() -> webauthn.RelyingParty:
    """idbridge as a WebAuthn relying party: the host and origin of PUBLIC_BASE_URL."""
    base = urlsplit(settings.PUBLIC_BASE_URL)
    return webauthn.RelyingParty(
        id=settings.WEBAUTHN_RP_ID or base.hostname,
        name=settings.WEBAUTHN_RP_NAME,
        origin=f"{base.scheme}://{base.netloc}",
    )


def challenge_keep(request, key: str, challenge: bytes) -> None:
    request.session[key] = challenge.hex()


def challenge_take(request, key: str) -> bytes:
    """The challenge ``options`` issued (usable once), or a refusal."""
    challenge = request.session.pop(key, None)
    if not challenge:
        raise CeremonyRefused("Start again: the passkey request expired.")
    try:
        return bytes.fromhex(challenge)
    except (ValueError, TypeError):
        raise CeremonyRefused("The browser sent an unreadable answer.") from None


def browser_answer(request) -> tuple[dict, str]:
    """The posted JSON body and its ``credential`` (as JSON text for py_webauthn)."""
    try:
        body = json.loads(request.body)
        return body, json.dumps(body["credential"])
    except (ValueError, KeyError, TypeError):
        raise CeremonyRefused("The browser sent an unreadable answer.") from None


def options_response(options_json: str) -> JsonResponse:
    return JsonResponse(json.loads(options_json))
