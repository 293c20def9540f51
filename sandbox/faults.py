"""Faults on demand and request counters for the sandbox's machine APIs.

Tests and benchmarks switch faults per run; everything is off by default. The state lives
in the database (``FaultConfig`` row id=1, ``EndpointCounter`` rows), so every web worker
of a demo or benchmark server sees the same switches and counts.

From Python (tests)::

    from sandbox import faults
    faults.faults_set(actor="test", error_share=0.5, error_status=503, endpoints="soap")
    faults.counters_get()["soap.GetPerson"]
    faults.counters_reset()
    faults.faults_clear(actor="test")

Over HTTP (benchmarks; ``Authorization: Bearer $CAMPUS_SANDBOX_CONTROL_TOKEN`` or a
signed-in sandbox manager): ``GET /sandbox/campus/_counters``,
``POST /sandbox/campus/_counters/reset``, ``GET/POST /sandbox/campus/_faults`` (JSON).

Endpoint names (``ENDPOINTS``) are what counters are keyed by and what the ``endpoints``
switch matches by prefix: ``"soap"`` covers ``soap.Authenticate`` and ``soap.GetPerson``.

A share ``s`` of requests fails deterministically: the n-th request to an endpoint (its
counter value) fails when ``floor(n*s) > floor((n-1)*s)`` — 0.5 fails every second
request, 1.0 every request.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from idbridge.audit.services import audit_record
from idbridge.db import column_increment, row_where
from sandbox.models import ApiClient, EndpointCounter, FaultConfig, SoapSession

ENDPOINTS = (
    "soap.wsdl",
    "soap.Authenticate",
    "soap.GetPerson",
    "soap.invalid",
    "oauth.token",
    "oneroster.users",
    "oneroster.user",
    "oneroster.orgs",
    "oneroster.org",
    "oneroster.schools",
    "oneroster.school",
    "oneroster.demographics",
)
SWITCHES = {
    "endpoints": str,
    "latency_ms": int,
    "error_share": float,
    "error_status": int,
    "timeout_share": float,
    "timeout_seconds": float,
    "rate_limit_share": float,
    "retry_after_seconds": int,
    "session_seconds": int,
}
ERROR_STATUSES = (500, 502, 503, 504)


class FaultSettingError(ValueError):
    pass


@dataclass(frozen=True)
class Injected:
    """A fault to answer with instead of serving the request."""

    kind: str  # "error" | "timeout" | "rate_limit"
    status: int
    retry_after: int | None = None


# --- Switchboard ----------------------------------------------------------------------


def faults_get() -> FaultConfig:
    """The current switches (an unsaved all-off row when none were ever set)."""
    return FaultConfig.objects.filter(pk=1).first() or FaultConfig(pk=1)


def faults_as_dict(config: FaultConfig | None = None) -> dict:
    config = config or faults_get()
    return {name: getattr(config, name) for name in SWITCHES}


def _clean(changes: dict) -> dict:
    clean = {}
    for name, value in changes.items():
        if name not in SWITCHES:
            raise FaultSettingError(f"unknown fault switch {name!r}")
        if value is None or value == "":
            clean[name] = None if name == "session_seconds" else SWITCHES[name]()
            continue
        try:
            clean[name] = SWITCHES[name](value)
        except (TypeError, ValueError):
            raise FaultSettingError(f"{name} must be a {SWITCHES[name].__name__}") from None
    for share in ("error_share", "timeout_share", "rate_limit_share"):
        if share in clean and not 0.0 <= clean[share] <= 1.0:
            raise FaultSettingError(f"{share} must be between 0 and 1")
    if "error_status" in clean and clean["error_status"] not in ERROR_STATUSES:
        raise FaultSettingError(f"error_status must be one of {ERROR_STATUSES}")
    if not 0 <= clean.get("latency_ms", 0) <= 60_000:
        raise FaultSettingError("latency_ms must be between 0 and 60000")
    if not 0 <= clean.get("timeout_seconds", 0) <= 300:
        raise FaultSettingError("timeout_seconds must be between 0 and 300")
    if not 0 <= clean.get("retry_after_seconds", 0) <= 3600:
        raise FaultSettingError("retry_after_seconds must be between 0 and 3600")
    if clean.get("session_seconds") is not None and clean["session_seconds"] < 1:
        raise FaultSettingError("session_seconds must be at least 1")
    if "endpoints" in clean:
        clean["endpoints"] = ",".join(p.strip() for p in clean["endpoints"].split(",") if p.strip())
    return clean


def faults_check(**changes) -> None:
    """Raise FaultSettingError if ``faults_set`` would refuse these switches."""
    _clean(changes)


def faults_set(*, actor, **changes) -> FaultConfig:
    """Change some switches (the others keep their values); audited."""
    clean = _clean(changes)
    with transaction.atomic():
        config, _ = FaultConfig.objects.select_for_update().get_or_create(pk=1)
        for name, value in clean.items():
            setattr(config, name, value)
        config.updated_at = timezone.now()
        config.save()
        audit_record(
            actor=actor, action="campus.faults_set", target=config, details=faults_as_dict(config)
        )
    return config


def faults_clear(*, actor) -> FaultConfig:
    """Every switch off."""
    defaults = faults_as_dict(FaultConfig())
    return faults_set(actor=actor, **defaults)


def sessions_expire_now(*, actor) -> int:
    """Make every SOAP session and sandbox OAuth2 token expire at once; audited."""
    from oauth2_provider.models import AccessToken

    now = timezone.now()
    with transaction.atomic():
        sessions = SoapSession.objects.filter(expires_at__gt=now).update(expires_at=now)
        tokens = AccessToken.objects.filter(
            expires__gt=now,
            application__in=ApiClient.objects.values("application"),
        ).update(expires=now)
        audit_record(
            actor=actor,
            action="campus.sessions_expired",
            target="campus:sessions",
            details={"soap_sessions": sessions, "oauth_tokens": tokens},
        )
    return sessions + tokens


def session_seconds(default: int) -> int:
    """Lifetime for a new SOAP session or OAuth2 token: the fault switch, else ``default``."""
    config = FaultConfig.objects.filter(pk=1).only("session_seconds").first()
    if config is not None and config.session_seconds:
        return config.session_seconds
    return default


# --- Counters -------------------------------------------------------------------------


def counter_increment(endpoint: str) -> None:
    if column_increment(EndpointCounter, "count", endpoint=endpoint):
        return
    try:
        with transaction.atomic():
            EndpointCounter.objects.create(endpoint=endpoint, count=1)
    except IntegrityError:  # another request created it first
        EndpointCounter.objects.filter(endpoint=endpoint).update(count=F("count") + 1)


def counter_value(endpoint: str) -> int:
    return (
        EndpointCounter.objects.filter(endpoint=endpoint).values_list("count", flat=True).first()
        or 0
    )


def counters_get() -> dict[str, int]:
    """Requests per endpoint since the last reset; every known endpoint is listed."""
    counts = dict.fromkeys(ENDPOINTS, 0)
    counts.update(EndpointCounter.objects.values_list("endpoint", "count"))
    return counts


def counters_reset(*, actor=None) -> None:
    EndpointCounter.objects.all().delete()
    if actor is not None:
        audit_record(actor=actor, action="campus.counters_reset", target="campus:counters")


# --- Per request ------------------------------------------------------------------------


def _applies(config: FaultConfig, endpoint: str) -> bool:
    prefixes = [p for p in config.endpoints.split(",") if p]
    return not prefixes or any(endpoint.startswith(p) for p in prefixes)


def _fires(n: int, share: float) -> bool:
    if share <= 0:
        return False
    if share >= 1:
        return True
    return math.floor(n * share + 1e-9) > math.floor((n - 1) * share + 1e-9)


def intercept(endpoint: str) -> Injected | None:
    """Count the request; add latency; return the fault to answer with, if any."""
    config = row_where(FaultConfig, pk=1)
    counter_increment(endpoint)
    if config is None or not _applies(config, endpoint):
        return None
    shares = (config.timeout_share, config.error_share, config.rate_limit_share)
    if config.latency_ms:
        time.sleep(config.latency_ms / 1000)
    if not any(shares):
        return None
    n = counter_value(endpoint)
    if _fires(n, config.timeout_share):
        time.sleep(config.timeout_seconds)
        return Injected("timeout", 504)
    if _fires(n, config.error_share):
        return Injected("error", config.error_status)
    if _fires(n, config.rate_limit_share):
        return Injected("rate_limit", 429, config.retry_after_seconds)
    return None
