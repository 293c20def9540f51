"""The Identity Service session every worker shares.

Authenticate returns a session valid for 30 minutes. The session is kept in the shared
cache (every worker uses the same one), renewed a little before it expires, and on a
session fault re-authenticated once and the call retried — so in steady state there is
one authentication per session lifetime, whatever the number of workers. A session Campus
refuses is renewed once, however many calls in flight saw it refused.
"""

from __future__ import annotations

import threading
import time

from idbridge.connectors.soap.parsing import parse_datetime, text
from idbridge.connectors.soap.transport import CREDENTIAL_FAULTS, FaultWithCode, IdentityService
from idbridge.connectors.tokens import SharedCache
from idbridge.connectors.types import PermanentCampusError

RENEW_BEFORE_SECONDS = 60


class Sessions:
    def __init__(self, service: IdentityService, cache: SharedCache, cache_key: str, *, sleep):
        self.service = service
        self.cache = cache
        self.session_key = f"{cache_key}:soap-session"
        self.lock_key = f"{cache_key}:soap-auth-lock"
        self.sleep = sleep
        # Held while the session is looked up in the shared cache or renewed, so threads
        # of this process never authenticate side by side.
        self._lock = threading.RLock()
        self._mine: tuple[str, float] | None = None  # (sessionID, expires at), this poll
        self._counter_lock = threading.Lock()
        self.authentications = 0

    def current(self) -> str:
        """The session to call with: this poll's own copy while it is fresh, else the shared
        one, else a new one (one process authenticates; the others wait for its session)."""
        mine = self._mine
        if mine and mine[1] - RENEW_BEFORE_SECONDS > time.time():
            return mine[0]
        with self._lock:
            return self._cached() or self._new()

    def after_refusal(self, refused: str) -> str:
        """A session to retry with after Campus refused ``refused``.

        Every call in flight with the expired session comes back refused; only the first to
        get here authenticates, the others find the new session already shared. The refused
        session is not deleted from the shared cache but overwritten, so a process refused
        a moment later cannot delete the session another process has just stored.
        """
        with self._lock:
            mine = self._mine
            if mine and mine[0] != refused and mine[1] - RENEW_BEFORE_SECONDS > time.time():
                return mine[0]
            session_id = self._cached()
            if session_id and session_id != refused:
                return session_id
            self._mine = None
            return self._new(refused=refused)

    def start_over(self) -> None:
        """Forget the shared session and authenticate (checks the credentials)."""
        with self._lock:
            self.cache.delete(self.session_key)
            self._mine = None
            self._new()

    def _cached(self) -> str | None:
        cached = self.cache.get(self.session_key)
        if cached and cached["expires_at"] - RENEW_BEFORE_SECONDS > time.time():
            self._mine = (cached["session_id"], cached["expires_at"])
            return cached["session_id"]
        return None

    def _new(self, *, refused: str | None = None) -> str:
        """Authenticate, unless another process is doing it: then wait for its session."""
        with self._lock:
            if self.cache.add(self.lock_key, 1, timeout=30):
                try:
                    return self._authenticate()
                finally:
                    self.cache.delete(self.lock_key)
            for _ in range(50):
                self.sleep(0.2)
                session_id = self._cached()
                if session_id and session_id != refused:
                    return session_id
            return self._authenticate()

    def _authenticate(self) -> str:
        try:
            result = self.service.call("Authenticate", client=self.service.client_with_token())
        except FaultWithCode as fault:
            if fault.code in CREDENTIAL_FAULTS:
                raise PermanentCampusError(
                    "Campus rejected the SOAP user name or password."
                ) from None
            raise PermanentCampusError(
                f"Authenticate failed: {fault.code}: {fault.message}"
            ) from None
        with self._counter_lock:
            self.authentications += 1
        session_id = text(getattr(result, "sessionID", None))
        expires = parse_datetime(getattr(result, "expiresAt", None))
        if not session_id:
            raise PermanentCampusError("Campus's Authenticate answer has no sessionID.")
        expires_at = expires.timestamp() if expires else time.time() + 1800
        self._share(session_id, expires_at)
        return session_id

    def _share(self, session_id: str, expires_at: float) -> None:
        self.cache.set(
            self.session_key,
            {"session_id": session_id, "expires_at": expires_at},
            timeout=max(expires_at - time.time() - RENEW_BEFORE_SECONDS, 1),
        )
        self._mine = (session_id, expires_at)
