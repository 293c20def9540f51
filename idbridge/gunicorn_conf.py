"""gunicorn's configuration for idbridge: ``gunicorn idbridge.wsgi:application -c
python:idbridge.gunicorn_conf`` (docker-compose, the image's CMD and ``make demo``).

Sized from the machine: ``WEB_WORKERS`` processes (default two per core available to the
process, at most one per 512 MiB of memory and at most 16) of ``WEB_THREADS`` threads
each (gthread). ``WEB_PRELOAD`` (on unless ``false``) loads idbridge once, in gunicorn's
master, before the workers are forked: a worker recycled after ``WEB_MAX_REQUESTS`` then
costs a fork instead of a Django start (1.1–1.7 s of CPU here, 0.6–0.8 ms for each of its
2,000 requests). A HUP then restarts workers with the code already loaded: restart
gunicorn to deploy new code. Every knob is an environment variable (README, *Configuration*); a
command-line option still overrides the value here. gunicorn's access log is off by
default: idbridge logs every request itself, as JSON with its request id.

``forwarded_allow_ips`` is ``TRUSTED_PROXIES``, the same list the rate limits and the
audit log read the client's address with (``idbridge.ratelimit.client_address``): only a
listed proxy may set ``X-Forwarded-Proto`` and the other forwarding headers; empty =
nobody.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

MEMORY_PER_WORKER = 512 * 1024 * 1024
MAX_DEFAULT_WORKERS = 16


def cpu_cores() -> int:
    """Cores this process may use: the affinity mask, capped by a cgroup CPU quota (a
    container's ``--cpus``), as Celery's ``--concurrency auto`` counts them."""
    from celery.utils.sysinfo import cpu_budget

    return cpu_budget().count


def _cgroup_memory_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            return int(text)
    return None


def memory_bytes() -> int | None:
    """Memory this process may use: physical memory, capped by a cgroup memory limit."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = None
    limits = [value for value in (physical, _cgroup_memory_limit()) if value]
    return min(limits) if limits else None


def default_workers(cores: int, memory: int | None) -> int:
    """Two workers per core, at most one per ``MEMORY_PER_WORKER`` and at most
    ``MAX_DEFAULT_WORKERS``; never fewer than two (one restarts while the other serves)."""
    workers = min(2 * max(1, cores), MAX_DEFAULT_WORKERS)
    if memory:
        workers = min(workers, memory // MEMORY_PER_WORKER)
    return max(2, workers)


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _on_unless_off(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() not in ("0", "false", "no", "off")


def trusted_proxies(environ: Mapping[str, str]) -> list[str]:
    """``TRUSTED_PROXIES`` as gunicorn wants it: networks with their host bits cleared
    (``10.1.2.3/16`` → ``10.1.0.0/16``), read the way ``idbridge.ratelimit`` reads them."""
    entries = [entry.strip() for entry in environ.get("TRUSTED_PROXIES", "").split(",")]
    try:
        networks = [ipaddress.ip_network(entry, strict=False) for entry in entries if entry]
    except ValueError as exc:
        raise ValueError(f"TRUSTED_PROXIES: {exc}") from None
    return [str(network) for network in networks]


def _bind(environ: Mapping[str, str]) -> str:
    host = environ.get("HOST", "").strip() or "127.0.0.1"
    port = _int(environ, "PORT", 8000, minimum=1)
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{port}"


def server_settings(environ: Mapping[str, str], cores: int, memory: int | None) -> dict:
    """gunicorn's settings for this environment on a machine of ``cores`` and ``memory``."""
    max_requests = _int(environ, "WEB_MAX_REQUESTS", 2000)
    return {
        "bind": [_bind(environ)],
        "worker_class": "gthread",
        "workers": _int(environ, "WEB_WORKERS", default_workers(cores, memory), minimum=1),
        "threads": _int(environ, "WEB_THREADS", 4, minimum=1),
        "keepalive": _int(environ, "WEB_KEEPALIVE_SECONDS", 5),
        "timeout": _int(environ, "WEB_TIMEOUT_SECONDS", 30),
        "graceful_timeout": _int(environ, "WEB_GRACEFUL_TIMEOUT_SECONDS", 30),
        "max_requests": max_requests,
        "max_requests_jitter": _int(environ, "WEB_MAX_REQUESTS_JITTER", max_requests // 10),
        "preload_app": _on_unless_off(environ, "WEB_PRELOAD"),
        "accesslog": "-" if _flag(environ, "WEB_ACCESS_LOG") else None,
        "errorlog": "-",
        "loglevel": environ.get("LOG_LEVEL", "").strip().lower() or "info",
        "forwarded_allow_ips": ",".join(trusted_proxies(environ)),
        # gunicornc's control socket only where asked: its default (one path in $HOME)
        # is shared by every gunicorn of the user, and the image's $HOME is read-only.
        "control_socket": environ.get("WEB_CONTROL_SOCKET", "").strip() or None,
    }


_settings = server_settings(os.environ, cpu_cores(), memory_bytes())

bind = _settings["bind"]
worker_class = _settings["worker_class"]
workers = _settings["workers"]
threads = _settings["threads"]
keepalive = _settings["keepalive"]
timeout = _settings["timeout"]
graceful_timeout = _settings["graceful_timeout"]
max_requests = _settings["max_requests"]
max_requests_jitter = _settings["max_requests_jitter"]
preload_app = _settings["preload_app"]
accesslog = _settings["accesslog"]
errorlog = _settings["errorlog"]
loglevel = _settings["loglevel"]
forwarded_allow_ips = _settings["forwarded_allow_ips"]
if _settings["control_socket"]:
    control_socket = _settings["control_socket"]
else:
    control_socket_disable = True


def pre_fork(server, worker):
    """With ``preload_app`` the workers are forked from a process that has loaded idbridge:
    no database connection of that process may be shared with them."""
    from django.db import connections

    connections.close_all()


# The workers' heartbeat files on tmpfs (a container's disk-backed /tmp can stall them).
if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's own recommendation for containers
    worker_tmp_dir = "/dev/shm"  # noqa: S108
