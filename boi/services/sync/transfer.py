"""Transfer: the included rows, in batches, with the address each should send; then
end transfer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from boi.models import AddressCheck, HrImport, HrRow, SyncRun, SyncStaff
from boi.rules.addresses import address_to_send, components_of
from boi.services.sync.refusals import REFUSED_STATUSES, refusals_record, send_isolating
from boi.services.sync.runs import advance, import_fingerprint
from idbridge.connectors.types import (
    CampusError,
    OutcomeUnknown,
    PermanentCampusError,
    TransientCampusError,
)
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
    """The included rows to Campus, batch after batch, each accepted part recorded at once.
    A resumed transfer first checks that Campus holds exactly what was recorded (so a batch
    that arrived without its answer is never staged twice) and skips the rows already
    recorded past the last whole batch."""
    total = run.staff_count
    done = HrRow.objects.filter(
        hr_import=run.hr_import, is_excluded=False, row_number__lte=run.transferred_upto
    ).count()
    running.progress(done, total=total)
    addresses = campus_addresses(run.hr_import)
    household_allowed = run.connection.household_allowed
    path = f"sync/{run.sync_id}/transfer"
    transfer = _Transfer(run, client, held=_campus_holds_what_was_recorded(run, client))
    recorded = set(SyncStaff.objects.filter(run=run).values_list("row_id", flat=True))
    for batch in _included_rows(run, run.transferred_upto, settings.BOI_TRANSFER_BATCH_SIZE):
        items = [
            (r, staff_for_campus(r, addresses, household_allowed=household_allowed))
            for r in batch
            if r.id not in recorded
        ]
        refused = send_isolating(transfer.send, items) if items else []
        del items
        done += len(batch)
        with transaction.atomic():
            SyncStaff.objects.bulk_create(refusals_record(run, path, refused))
            SyncRun.objects.filter(id=run.id).update(transferred_upto=batch[-1].row_number)
        recorded = set()  # only a resumed run's first batch can have rows recorded already
        running.progress(done)
    advance(run, SyncRun.State.TRANSFERRING, hr_fingerprint=import_fingerprint(run.hr_import))


def _campus_holds_what_was_recorded(run: SyncRun, client) -> int:
    """How many staff Campus holds for the sync, checked against the staff recorded as
    accepted: a difference means a batch arrived whose answer never came back."""
    accepted = SyncStaff.objects.filter(run=run).exclude(outcome=SyncStaff.Outcome.REFUSED)
    recorded = accepted.count()
    held = client.sync_transferred(run.sync_id)
    if held is None or held == recorded:
        return recorded
    raise PermanentCampusError(
        f"Campus holds {held:,} staff for this synchronization where {recorded:,} were "
        "confirmed as sent: a batch reached Campus but its answer did not come back. Start "
        "the synchronization again (sending the batch again could stage its staff twice)."
    )


RESENDS = 2  # a transfer Campus shows it never received is sent again at most this often


@dataclass
class _Transfer:
    """The transfer calls of one run, each checked against what Campus holds for the sync
    (its "transferred" count): a call whose answer was lost is counted as sent when Campus
    holds its staff, sent again when Campus holds none of them, and never otherwise.
    Campus stores a transfer call whole or not at all (one bad staff member refuses it)."""

    run: SyncRun
    client: object
    held: int  # staff Campus holds for the sync, as last confirmed

    def send(self, items: list[tuple[HrRow, dict]]) -> None:
        staff = [payload for _, payload in items]
        for attempt in range(RESENDS + 1):
            try:
                answer = self._post(staff)
                break
            except TransientCampusError as exc:
                now = self._held_after(exc)
                if now == self.held + len(staff):  # it arrived; only the answer was lost
                    answer = {"transferred": now}
                    break
                if now != self.held:
                    raise self._mismatch(now, len(staff)) from exc
                if not isinstance(exc, OutcomeUnknown) or attempt == RESENDS:
                    raise
        count = answer.get("transferred") if isinstance(answer, dict) else None
        self.held = count if isinstance(count, int) else self.held + len(staff)
        SyncStaff.objects.bulk_create(
            SyncStaff(run=self.run, row=r, staff_number=r.staff_number, name=r.display_name[:200])
            for r, _ in items
        )

    def _post(self, staff: list[dict]):
        """One transfer call. Campus's refusals of it are not logged per call: each refused
        staff member gets an entry of their own (``refusals_record``), their request whole
        and their reason in words."""
        client = self.client
        record = client.on_error
        if record is not None:
            client.on_error = lambda f: None if f.status in REFUSED_STATUSES else record(f)
        try:
            return client.sync_transfer(self.run.sync_id, staff)
        finally:
            client.on_error = record

    def _held_after(self, exc: TransientCampusError) -> int:
        """What Campus holds for the sync now; the call's own error when Campus cannot say."""
        try:
            now = self.client.sync_transferred(self.run.sync_id)
        except CampusError:
            raise exc from None
        if now is None:
            raise exc
        return now

    def _mismatch(self, now: int, size: int) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"A transfer of {size:,} staff got no answer, and Campus now holds {now:,} staff "
            f"for this synchronization, neither the {self.held:,} before it nor the "
            f"{self.held + size:,} after it"
        )


def end_transfer(run: SyncRun, client, running: RunningJob) -> None:
    if not SyncStaff.objects.filter(run=run).exclude(outcome=SyncStaff.Outcome.REFUSED).exists():
        raise PermanentCampusError(
            "Campus refused every staff member sent (each is named on this page with the "
            "reason): fix the HR file and start again."
        )
    client.sync_end_transfer(run.sync_id)
    advance(run, SyncRun.State.TRANSFER_ENDED)
