"""Audit log: append rate (one writer, then concurrent writers), seal and verification rate.

Uses a throwaway SQLite database in a temporary VAR_DIR unless DATABASE_URL is set. The
concurrent measurement (``--writers 8``) forks that many processes; each appends
``--appends`` entries, every one in its own transaction (as a SAML assertion or a
ceremony does), all starting together. It means something only on PostgreSQL: SQLite
serializes every writer anyway.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h13 python bench/bench_audit.py \\
        --writers 8 --appends 500 --skip-single
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from idbridge.audit import services  # noqa: E402
from idbridge.audit.models import AuditEntry  # noqa: E402


def _emit(**figures):
    print(json.dumps({"bench": "audit", "db": connection.vendor, **figures}), flush=True)


def _seal_all() -> float:
    """Seconds to seal everything appended so far (0 where the chain is sealed on write)."""
    seal = getattr(services, "audit_seal", None)
    if seal is None:
        return 0.0
    started = time.perf_counter()
    seal(grace_seconds=0)
    return time.perf_counter() - started


def single_writer(n: int):
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            services.audit_record(
                actor="bench", action="bench.append", target=f"x:{i}", details={"i": i}
            )
    append_s = time.perf_counter() - started
    seal_s = _seal_all()
    started = time.perf_counter()
    assert services.audit_verify() is None
    verify_s = time.perf_counter() - started
    _emit(
        entries_added=n,
        append_per_s=round(n / append_s),
        seal_s=round(seal_s, 3),
        chain_length=AuditEntry.objects.count(),
        verify_s_total=round(verify_s, 3),
    )


def _writer(index: int, appends: int, barrier, results):
    barrier.wait()
    started = time.time()
    for i in range(appends):
        with transaction.atomic():
            services.audit_record(
                actor=f"bench:{index}", action="bench.concurrent", target=f"x:{i}"
            )
    results.put((started, time.time()))
    connections.close_all()


def concurrent_writers(writers: int, appends: int):
    connections.close_all()  # every child opens its own connection
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(writers), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(i, appends, barrier, results)) for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    spans = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    seal_s = _seal_all()
    total = writers * appends
    started = time.perf_counter()
    assert services.audit_verify() is None
    _emit(
        writers=writers,
        entries_added=total,
        append_per_s=round(total / wall),
        wall_s=round(wall, 2),
        seal_s_after=round(seal_s, 3),
        verify_s_total=round(time.perf_counter() - started, 3),
        chain_length=AuditEntry.objects.count(),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=250, help="per writer")
    parser.add_argument("--skip-single", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not args.skip_single:
        for n in (1_000, 10_000):
            single_writer(n)
    concurrent_writers(args.writers, args.appends)


if __name__ == "__main__":
    main()
