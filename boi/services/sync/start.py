"""Start: a new Campus sync session (the run's earlier transfer is forgotten)."""

from __future__ import annotations

from django.db import transaction

from boi.models import HrRow, SyncRun, SyncStaff
from boi.services.sync.runs import advance
from idbridge.db import rows_delete


def run_start(run: SyncRun, client, running=None) -> None:
    sync_id = client.sync_start()
    rows_delete(SyncStaff.objects.filter(run=run))  # the earlier transfer, a batch at a time
    with transaction.atomic():
        SyncStaff.objects.filter(run=run).delete()
        advance(
            run,
            SyncRun.State.TRANSFERRING,
            sync_id=sync_id,
            transferred_upto=0,
            hr_fingerprint="",
            report_summary={},
            validated_at=None,
            staff_count=HrRow.objects.filter(hr_import=run.hr_import, is_excluded=False).count(),
        )
    run.sync_id = sync_id
    run.transferred_upto = 0
