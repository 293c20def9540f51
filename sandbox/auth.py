"""Bearer tokens on the sandbox's machine endpoints: one check, each API's own answer.

The BOI API and OneRoster take an OAuth2 access token from the sandbox's token endpoint
(:func:`bearer_client`); the control endpoints take the static
``CAMPUS_SANDBOX_CONTROL_TOKEN`` (:func:`bearer_secret_check`). A refusal is a
:class:`BearerRefused` carrying its reason, HTTP status and RFC 6750 challenge; each API
words it in its own error shape (BOI ``errors``, OneRoster ``imsx_StatusInfo``, control's
``{"error": …}``).
"""

from __future__ import annotations

import hashlib

from django.utils.crypto import constant_time_compare
from oauth2_provider.models import get_access_token_model

from idbridge.db import row_where
from sandbox.models import ApiClient

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


def _access_token(raw: str):
    """The stored access token ``raw`` (found by django-oauth-toolkit's SHA-256 checksum,
    as its own validator finds it), or None."""
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return row_where(get_access_token_model(), token_checksum=checksum)


def bearer_client(request, *, scope: str, app_name: str | None = None):
    """The active API client whose access token the request carries, with ``scope`` (and,
    when given, issued for ``app_name``); else :class:`BearerRefused`.

    Checked as django-oauth-toolkit's resource server checks it (known, not expired, and a
    token restricted to resources valid for this URL), with two plain queries."""
    raw = bearer_token(request)
    if raw is None:
        raise BearerRefused(BearerRefused.MISSING)
    token = _access_token(raw) if raw else None
    if token is None or not token.is_valid():
        raise BearerRefused(BearerRefused.INVALID)
    if token.resource and not token.allows_audience(request.build_absolute_uri(request.path)):
        raise BearerRefused(BearerRefused.INVALID)
    client = row_where(ApiClient, only=("is_active", "app_name"), application=token.application_id)
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
