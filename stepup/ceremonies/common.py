"""What every ceremony shares: the relying party, rate limits, the challenge kept in the
session between options and verify, the browser's answer, and refusals."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse

from idbridge import ratelimit
from staff.limits import onboarding_attempt_allowed
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


def sign_in_attempt_allowed(request) -> bool:
    """Counts one sign-in or step-up attempt from this client address."""
    return ratelimit.hit(
        "stepup-passkey",
        ratelimit.client_address(request),
        limit=settings.STAFF_CEREMONY_RATE_PER_MINUTE,
    )


def registration_attempt_allowed(request, case_id: int) -> bool:
    """Counts one registration attempt (enrollment, another passkey) against the person's
    onboarding budget: per client address and per case, shared with the record check."""
    return onboarding_attempt_allowed(request, case_id)


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
