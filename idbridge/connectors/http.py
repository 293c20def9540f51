"""HTTP plumbing shared by the REST and BOI connectors: retries with backoff and jitter,
Retry-After, and the mapping of failures onto transient / permanent errors."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import requests
import urllib3

from idbridge.connectors.types import OutcomeUnknown, PermanentCampusError, TransientCampusError

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
_CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
MAX_RETRY_AFTER = 120.0


def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        delta = parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def backoff(attempt: int, base: float = 0.5, cap: float = 20.0) -> float:
    """Full-jitter exponential backoff: uniform(0, min(cap, base * 2**attempt))."""
    return random.uniform(0, min(cap, base * 2**attempt))


def call_with_retries(
    send: Callable[[], requests.Response],
    *,
    what: str,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    idempotent: bool = True,
) -> requests.Response:
    """Send, retrying timeouts, connection errors, 5xx and 429 a bounded number of times.

    Returns the first response that is neither (callers handle 4xx); raises
    TransientCampusError when the retries run out, carrying the last Retry-After.
    ``idempotent=False`` (a call that changes Campus): only a refused connection or a 429
    is retried, as Campus did nothing then; anything else raises OutcomeUnknown at once.
    """
    last_error = "no attempt made"
    retry_after = None
    for attempt in range(attempts):
        try:
            response = send()
        except requests.ConnectTimeout:
            last_error, retry_after = f"{what}: cannot reach Campus (ConnectTimeout)", None
        except requests.Timeout:
            if not idempotent:
                raise OutcomeUnknown(f"{what}: Campus did not answer in time") from None
            last_error, retry_after = f"{what}: Campus did not answer in time", None
        except requests.ConnectionError as exc:
            last_error, retry_after = f"{what}: cannot reach Campus ({type(exc).__name__})", None
            if not idempotent and not _never_sent(exc):
                raise OutcomeUnknown(last_error) from None
        else:
            if response.status_code not in RETRYABLE_STATUS:
                return response
            retry_after = retry_after_seconds(response)
            last_error = f"{what}: Campus answered HTTP {response.status_code}"
            if not idempotent and response.status_code != 429:
                raise OutcomeUnknown(last_error, retry_after=retry_after)
        if attempt + 1 < attempts:
            sleep(retry_after if retry_after is not None else backoff(attempt))
    raise TransientCampusError(last_error, retry_after=retry_after)


def _never_sent(exc: requests.ConnectionError) -> bool:
    """The connection was refused or never opened, so the request cannot have arrived."""
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), urllib3.exceptions.NewConnectionError)


def permanent_for(response: requests.Response, what: str) -> PermanentCampusError:
    detail = ""
    try:
        body = response.json()
        detail = (
            body.get("imsx_description") or body.get("error_description") or body.get("error") or ""
        )
        if not detail and isinstance(body.get("errors"), list):
            detail = "; ".join(e.get("message", "") for e in body["errors"][:5])
    except (ValueError, AttributeError):
        pass
    message = f"{what}: Campus refused the request (HTTP {response.status_code})"
    return PermanentCampusError(f"{message}: {detail}" if detail else message)


def environment_settle(session: requests.Session, *urls: str) -> None:
    """Read once what ``requests`` reads from the environment on every call — the proxies
    for these URLs' hosts and a CA bundle — and stop it reading: a client making thousands
    of calls otherwise scans the environment (and ``~/.netrc``) for each. Left as it is
    when the URLs would go through different proxies."""
    if not isinstance(session, requests.Session) or not session.trust_env or not urls:
        return
    proxies = [requests.utils.get_environ_proxies(url) for url in urls]
    if any(p != proxies[0] for p in proxies):
        return
    session.proxies = {**proxies[0], **session.proxies}
    bundle = next((os.environ[v] for v in _CA_BUNDLE_VARIABLES if os.environ.get(v)), None)
    if bundle and session.verify is True:
        session.verify = bundle
    session.trust_env = False
