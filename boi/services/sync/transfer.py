"""Transfer: the included rows, in batches, with the address each should send; then
end transfer."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db import transaction

from boi.models import AddressCheck, HrImport, HrRow, SyncRun, SyncStaff
from boi.rules.addresses import address_to_send, components_of
from boi.services.sync.refusals import REFUSED_STATUSES, refusals_record, send_isolating
from boi.services.sync.runs import advance, import_fingerprint
from idbridge.connectors.types import PermanentCampusError
from idbridge.db import pages
from idbridge.jobs.services import RunningJob


def campus_addresses(hr_import: HrImport) -> dict[str, dict]:
    """Address key → the address to send: Campus's own address when pre-flight found one
    (as the API takes it back: its full street line when Campus holds it in one field,
    ``address_to_send``), else the normalized components (one spelling for every variant
    in the file)."""
    chosen: dict[str, dict] = {}
    for key, components, campus in AddressCheck.objects.filter(hr_import=hr_import).values_list(
        "key", "components", "campus_address"
    ):
        chosen[key] = (
            address_to_send(components_of(campus)) if campus else components_of(components)
        )
    return chosen


def staff_for_campus(row: HrRow, addresses: dict[str, dict], *, household_allowed: bool) -> dict:
    """The staff object sent to Campus for an HR row (SSN revealed only here): its address
    is Campus's own when pre-flight found one, else the row's normalized components."""
    payload = row.staff_payload()
    if not household_allowed:
        payload.pop("household", None)
        return payload
    components = addresses.get(row.address_key) or row.address_components
    if row.address_key and payload.get("household") and components:
        payload["household"] = {"householdLocations": [{"address": dict(components)}]}
    return payload


def _included_rows(run: SyncRun, after: int, size: int) -> Iterator[list[HrRow]]:
    """The rows to send, ``size`` at a time, after row number ``after``: pages read whole
    (``idbridge.db.pages``), so no read stays open while a batch goes to Campus and its
    progress is written."""
    rows = HrRow.objects.filter(hr_import=run.hr_import, is_excluded=False, row_number__gt=after)
    return pages(rows, ("row_number",), size)


def run_transfer(run: SyncRun, client, running: RunningJob) -> None:
    total = run.staff_count
    done = HrRow.objects.filter(
        hr_import=run.hr_import, is_excluded=False, row_number__lte=run.transferred_upto
    ).count()
    running.progress(done, total=total)
    addresses = campus_addresses(run.hr_import)
    household_allowed = run.connection.household_allowed
    path = f"sync/{run.sync_id}/transfer"
    for batch in _included_rows(run, run.transferred_upto, settings.BOI_TRANSFER_BATCH_SIZE):
        items = [
            (r, staff_for_campus(r, addresses, household_allowed=household_allowed)) for r in batch
        ]
        refused = send_isolating(_batch_sender(client, run.sync_id), items)
        del items
        done += len(batch)
        refused_rows = {item.row.id for item in refused}
        with transaction.atomic():
            SyncStaff.objects.bulk_create(
                [
                    SyncStaff(
                        run=run, row=r, staff_number=r.staff_number, name=r.display_name[:200]
                    )
                    for r in batch
                    if r.id not in refused_rows
                ]
                + refusals_record(run, path, refused)
            )
            SyncRun.objects.filter(id=run.id).update(transferred_upto=batch[-1].row_number)
        running.progress(done)
    advance(run, SyncRun.State.TRANSFERRING, hr_fingerprint=import_fingerprint(run.hr_import))


def _batch_sender(client, sync_id: str):
    """``client.sync_transfer`` for one batch and the parts it is split into. Campus's
    refusals of them are not logged per call: each refused staff member gets an entry of
    their own (``refusals_record``), their request whole and their reason in words."""

    def send(staff: list[dict]):
        record = client.on_error
        if record is not None:
            client.on_error = lambda f: None if f.status in REFUSED_STATUSES else record(f)
        try:
            return client.sync_transfer(sync_id, staff)
        finally:
            client.on_error = record

    return send


def end_transfer(run: SyncRun, client, running: RunningJob) -> None:
    if not SyncStaff.objects.filter(run=run).exclude(outcome=SyncStaff.Outcome.REFUSED).exists():
        raise PermanentCampusError(
            "Campus refused every staff member sent (each is named on this page with the "
            "reason): fix the HR file and start again."
        )
    client.sync_end_transfer(run.sync_id)
    advance(run, SyncRun.State.TRANSFER_ENDED)
