"""A fixed-window rate limit in the shared cache (every web process sees the same counts)."""

import time

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; True while ``key`` stays within ``limit`` per window."""
    window = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=window_seconds * 2):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")
