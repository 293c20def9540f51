"""OAuth2 client-credentials tokens, cached where every worker sees them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import requests

from idbridge.connectors.http import call_with_retries, permanent_for
from idbridge.connectors.types import PermanentCampusError


class SharedCache(Protocol):
    """The subset of Django's cache API the connectors use (injected, so no Django here)."""

    def get(self, key: str, default=None): ...
    def set(self, key: str, value, timeout: float | None = None): ...
    def delete(self, key: str): ...
    def add(self, key: str, value, timeout: float | None = None) -> bool: ...


@dataclass
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""


class TokenSource:
    """Fetches a bearer token, keeps it until shortly before ``expires_in``, renews it."""

    RENEW_BEFORE_SECONDS = 60

    def __init__(
        self,
        creds: ClientCredentials,
        cache: SharedCache,
        cache_key: str,
        *,
        session=None,
        timeout=10.0,
    ):
        self.creds = creds
        self.cache = cache
        self.cache_key = cache_key
        self.http = session or requests.Session()
        self.timeout = timeout
        self.fetch_count = 0

    def token(self) -> str:
        cached = self.cache.get(self.cache_key)
        if cached and cached["expires_at"] - self.RENEW_BEFORE_SECONDS > time.time():
            return cached["access_token"]
        return self.renew()

    def renew(self) -> str:
        data = {"grant_type": "client_credentials"}
        if self.creds.scope:
            data["scope"] = self.creds.scope
        response = call_with_retries(
            lambda: self.http.post(
                self.creds.token_url,
                data=data,
                auth=(self.creds.client_id, self.creds.client_secret),
                timeout=self.timeout,
            ),
            what="OAuth2 token",
        )
        if response.status_code in (400, 401, 403):
            raise PermanentCampusError(
                "Campus rejected the client credentials (check the Client ID and Secret)."
            )
        if response.status_code != 200:
            raise permanent_for(response, "OAuth2 token")
        try:
            body = response.json()
            access_token = body["access_token"]
            expires_in = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise PermanentCampusError(
                "Campus's token endpoint answered something unreadable."
            ) from None
        self.fetch_count += 1
        self.cache.set(
            self.cache_key,
            {"access_token": access_token, "expires_at": time.time() + expires_in},
            timeout=max(expires_in - self.RENEW_BEFORE_SECONDS, 1),
        )
        return access_token

    def forget(self):
        self.cache.delete(self.cache_key)
