"""Bearer tokens on the sandbox's machine endpoints: one check, each API's own answer.

The BOI API and OneRoster take an OAuth2 access token from the sandbox's token endpoint
(:func:`bearer_client`); the control endpoints take the static
``CAMPUS_SANDBOX_CONTROL_TOKEN`` (:func:`bearer_secret_check`). A refusal is a
:class:`BearerRefused` carrying its reason, HTTP status and RFC 6750 challenge; each API
words it in its own error shape (BOI ``errors``, OneRoster ``imsx_StatusInfo``, control's
``{"error": …}``).
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare
from oauth2_provider.oauth2_backends import get_oauthlib_core

REALM = "campus"


class BearerRefused(Exception):
    """Why a request's bearer token was refused, and the status and challenge it earns."""

    MISSING = "missing"  # no ``Authorization: Bearer …`` header
    INVALID = "invalid_token"  # unknown, expired or revoked token (or the wrong secret)
    NOT_ISSUED = "not_issued"  # the token's client is gone, inactive or another app's
    INSUFFICIENT_SCOPE = "insufficient_scope"

    def __init__(self, reason: str, *, scope: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.scope = scope

    @property
    def status(self) -> int:
        return 403 if self.reason == self.INSUFFICIENT_SCOPE else 401

    @property
    def www_authenticate(self) -> str:
        if self.reason == self.MISSING:
            return f'Bearer realm="{REALM}"'
        if self.reason == self.INSUFFICIENT_SCOPE:
            return f'Bearer realm="{REALM}", error="insufficient_scope", scope="{self.scope}"'
        return f'Bearer realm="{REALM}", error="invalid_token"'


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    auth = request.headers.get("Authorization", "")
    return auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None


def bearer_client(request, *, scope: str, app_name: str | None = None):
    """The active API client whose access token the request carries, with ``scope`` (and,
    when given, issued for ``app_name``); else :class:`BearerRefused`."""
    if bearer_token(request) is None:
        raise BearerRefused(BearerRefused.MISSING)
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None:
        raise BearerRefused(BearerRefused.INVALID)
    client = getattr(token.application, "campus_client", None)
    if client is None or not client.is_active or app_name not in (None, client.app_name):
        raise BearerRefused(BearerRefused.NOT_ISSUED)
    if not token.allow_scopes([scope]):
        raise BearerRefused(BearerRefused.INSUFFICIENT_SCOPE, scope=scope)
    return client


def bearer_secret_check(request, secret: str) -> bool:
    """True when the request's bearer token is ``secret``; False when it carries none (or
    no secret is set), so the caller may try other credentials; :class:`BearerRefused`
    when it carries another token."""
    token = bearer_token(request)
    if not secret or token is None:
        return False
    if not constant_time_compare(token, secret):
        raise BearerRefused(BearerRefused.INVALID)
    return True
