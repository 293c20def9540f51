"""Audit log: append rate and verification rate, on the configured database.

Uses a throwaway SQLite database in a temporary VAR_DIR unless DATABASE_URL is set.
"""

import json
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
from django.db import connection, transaction  # noqa: E402

from idbridge.audit.models import AuditEntry  # noqa: E402
from idbridge.audit.services import audit_record, audit_verify  # noqa: E402

call_command("migrate", verbosity=0)
for n in (1_000, 10_000):
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            audit_record(actor="bench", action="bench.append", target=f"x:{i}", details={"i": i})
    append_s = time.perf_counter() - started
    started = time.perf_counter()
    assert audit_verify() is None
    verify_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "bench": "audit",
                "db": connection.vendor,
                "entries_added": n,
                "append_per_s": round(n / append_s),
                "chain_length": AuditEntry.objects.count(),
                "verify_s_total": round(verify_s, 3),
            }
        )
    )
