"""The auditors' page: rendering a page of entries in words, the CSV export, and
*Verify the chain* (``audit_chain_check``) at a given log size, in the request and as the
chain check job (``idbridge.audit.jobs``: progress writes and heartbeat included; the
task body run in this process).

Throwaway SQLite database in a temporary VAR_DIR unless DATABASE_URL is set.

    python bench/bench_audit_page.py --entries 20000,100000
"""

import argparse
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from idbridge.audit.jobs import VERIFY  # noqa: E402
from idbridge.audit.models import AuditEntry  # noqa: E402
from idbridge.audit.services import audit_chain_check, audit_record, audit_seal  # noqa: E402
from idbridge.audit.tasks import verify_audit_chain  # noqa: E402
from idbridge.core.roles import AUDITOR  # noqa: E402
from idbridge.jobs.models import Job  # noqa: E402


def _grow(to: int, user) -> None:
    have = AuditEntry.objects.count()
    with transaction.atomic():
        for i in range(have, to):
            audit_record(actor=user, action="staff.case.invite", target=f"boi.syncrun:{i}")
    audit_seal(grace_seconds=0)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return round(time.perf_counter() - started, 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", default="20000")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench_auditor", password="x", first_name="Ada")
    user.groups.add(Group.objects.get(name=AUDITOR))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    for size in [int(s) for s in args.entries.split(",")]:
        _grow(size, user)
        client.get("/audit/")
        page_s = _timed(lambda: client.get("/audit/"))
        csv_s = _timed(lambda: b"".join(client.get("/audit/audit-log.csv").streaming_content))
        check_s = _timed(lambda: audit_chain_check(actor=user))
        job = Job.objects.create(kind=VERIFY, subject_id=user.pk, total=size, unit="entries")
        job_s = _timed(partial(verify_audit_chain, job.id))
        figures = {
            "entries": size,
            "page_s": page_s,
            "csv_s": csv_s,
            "check_s": check_s,
            "job_s": job_s,
        }
        print(json.dumps({"bench": "audit_page", "db": connection.vendor, **figures}), flush=True)


if __name__ == "__main__":
    main()
