"""django-oauth-toolkit glue for the sandbox's OAuth2 token endpoint (client credentials).

- Scopes come from the client's ``ApiClient.scopes`` (``ClientScopes``).
- Access tokens are JWT-shaped (HS256 over the project's secret key, carrying ``exp``,
  ``scope`` and the app name) like Campus's; DOT still stores only their SHA-256 and
  validates them by looking the checksum up, so revoking works as usual.
- ``expires_in`` follows ``CAMPUS_SANDBOX_TOKEN_SECONDS`` or the ``session_seconds``
  fault switch (tokens that expire early).
"""

from __future__ import annotations

import base64
import json
import secrets
import time

from django.conf import settings
from django.utils.crypto import salted_hmac
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from sandbox import faults

_JWT_SALT = "sandbox.oauth.jwt"


def _client_scopes(application) -> list[str]:
    client = getattr(application, "campus_client", None) if application is not None else None
    if client is None or not client.is_active:
        return []
    return [s for s in client.scope_list if s in oauth2_settings.SCOPES]


class ClientScopes(BaseScopes):
    def get_all_scopes(self):
        return oauth2_settings.SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)


def token_seconds() -> int:
    return faults.session_seconds(settings.CAMPUS_SANDBOX_TOKEN_SECONDS)


class SandboxOAuth2Validator(OAuth2Validator):
    def save_bearer_token(self, token, request, *args, **kwargs):
        # The dict is also the response body: expires_in stays consistent with the JWT.
        token["expires_in"] = getattr(request, "campus_expires_in", None) or token_seconds()
        return super().save_bearer_token(token, request, *args, **kwargs)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_access_token(request) -> str:
    """oauthlib token generator: a compact HS256 JWT."""
    now = int(time.time())
    expires_in = token_seconds()
    request.campus_expires_in = expires_in
    client = getattr(request, "client", None)
    campus_client = getattr(client, "campus_client", None)
    claims = {
        "iss": "campus-sandbox",
        "sub": getattr(client, "client_id", ""),
        "appName": campus_client.app_name if campus_client else "",
        "scope": " ".join(request.scopes or []),
        "iat": now,
        "exp": now + expires_in,
        "jti": secrets.token_urlsafe(16),
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}"
    signature = salted_hmac(_JWT_SALT, signing_input, algorithm="sha256").digest()
    return f"{signing_input}.{_b64(signature)}"
