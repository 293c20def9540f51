"""Business Office console: HR import at 5,000 / 20,000 / 50,000 rows.

For each size: generate the sample HR export (``boi.samples``), store it encrypted, check
every row (``hr_import_check``: streaming read, mapping, ``boi.rules`` validation,
bulk writes, duplicate detection), and report seconds, rows per second and the peak of
Python memory (tracemalloc) of the check, so growth with the file size is visible.
Prints one JSON object per size. Uses a throwaway SQLite database unless DATABASE_URL is
set.

The sync stages (transfer, validate, commit) need the Campus sandbox's BOI API over HTTP;
they are measured with ``--sync URL`` once it is served (see the README's BOI section).
"""

import io
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="idbridge-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from boi import storage  # noqa: E402
from boi.models import BoiConnection, MappingValue  # noqa: E402
from boi.samples import DEMO_MAPPINGS, sample_csv  # noqa: E402
from boi.services.imports import hr_import_check, hr_import_upload  # noqa: E402

call_command("migrate", verbosity=0)
connection, _ = BoiConnection.objects.get_or_create(
    name="bench",
    defaults={
        "client_id": "bench",
        "client_secret": "bench",
        "token_url": "http://127.0.0.1:9/token",
        "base_url": "http://127.0.0.1:9/api/boi/v1/",
        "campus_lists": {
            "schools": [{"code": c} for c in ("010", "020", "030", "040")],
            "genders": [{"code": c} for c in ("M", "F", "X")],
            "assignmentCodes": [{"code": c} for c in ("10", "20", "21", "30", "40")],
            "titleCodes": [],
        },
    },
)
for kind, table in DEMO_MAPPINGS.items():
    for hr_value, campus in table.items():
        assignment, title, description = campus if kind == "job" else (campus, "", "")
        MappingValue.objects.get_or_create(
            connection=connection,
            kind=kind,
            hr_value=hr_value,
            defaults={
                "campus_value": assignment,
                "title_code": title,
                "title_description": description,
            },
        )

sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [5_000, 20_000, 50_000]
for rows in sizes:
    data = sample_csv(rows, bad=rows // 40, seed=rows)
    started = time.perf_counter()
    stored = storage.store(io.BytesIO(data))
    hr_import = hr_import_upload(
        connection=connection, file_name=f"bench-{rows}.csv", stored=stored, actor="bench"
    )
    upload_seconds = time.perf_counter() - started
    del data
    hr_import.status = "queued"
    hr_import.save(update_fields=["status"])
    tracemalloc.start()
    started = time.perf_counter()
    hr_import_check(import_id=hr_import.id, actor="bench")
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hr_import.refresh_from_db()
    print(
        json.dumps(
            {
                "bench": "boi_import",
                "rows": hr_import.row_count,
                "rows_with_errors": hr_import.error_row_count,
                "file_bytes": hr_import.size_bytes,
                "upload_seconds": round(upload_seconds, 3),
                "check_seconds": round(seconds, 3),
                "rows_per_second": round(hr_import.row_count / seconds),
                "check_peak_python_mib": round(peak / 2**20, 1),
            }
        ),
        flush=True,
    )
