"""Fixed-window rate limits in the shared cache (every web process sees the same counts),
and the client address they (and the audit log) are keyed on.

A budget is a ``scope`` (what is guarded: an address, an onboarding case, a passkey's
credential ID, an invitation) and a key within it; the count lives under
``rl:<scope>:<digest of key>:<window number>`` and dies with its window. Counting costs
one cache operation once the window's entry exists (an ``incr``), two for the first
attempt of a window (``incr`` misses, ``add``). A fixed window lets up to twice the limit
through across a window boundary; the limits are set with that in mind.

Behind a reverse proxy every request comes from the proxy: list it in ``TRUSTED_PROXIES``
and the client is read from its ``X-Forwarded-For`` (see :func:`client_address`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


def _cache_key(scope: str, key: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # any length, no raw secrets
    return f"rl:{scope}:{digest}:{window}"


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; True while ``key`` stays within ``limit`` per window."""
    cache_key = _cache_key(scope, key, window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first attempt (or its entry was evicted)
        if cache.add(cache_key, 1, timeout=window_seconds * 2):
            count = 1
        else:  # another process counted the first one meanwhile
            count = cache.incr(cache_key)
    return count <= limit


def exhausted(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Whether ``key`` has used up its ``limit`` this window, without counting (one read)."""
    return int(cache.get(_cache_key(scope, key, window_seconds)) or 0) >= limit


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _address(text: str) -> ipaddress._BaseAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR``, unless that is a trusted proxy (``TRUSTED_PROXIES``, addresses or
    CIDR ranges): then the right-most ``X-Forwarded-For`` entry that is not itself a
    trusted proxy, i.e. the peer the outermost trusted proxy saw. Entries further left are
    whatever the client claimed and are never used; a header sent by anyone else is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted_proxy(_address(remote), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # not written by a proxy we trust: stop at the proxy
            return remote
        if not _is_trusted_proxy(address, networks):
            return str(address)
    return str(_address(hops[0])) if hops else remote  # every hop is one of our proxies
