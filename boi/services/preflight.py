"""Pre-flight, before anything is written to Campus (reads only):

- **address pre-flight**: each distinct HR address (by ``boi.rules`` match key, so "4321
  North Lexington Avenue" and "4321 N Lexington Ave." are one), as the row check normalized
  it, is searched in Campus (``GET addresses``); the transfer then sends Campus's own
  address when it exists, or the one normalized spelling otherwise — the guide's defence
  against address proliferation;
- **check before sync**: each HR staff number is looked up in Campus (``GET staff``);
  one Campus does not have is searched by name and birth date, and a person found under
  another number is a likely duplicate (a former student or parent hired as staff).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from boi.client import client_for
from boi.models import AddressCheck, HrImport, HrRow, StaffCheck
from boi.rules.addresses import components_of
from boi.services import ConsoleError
from boi.tasks import run_preflight
from idbridge.audit.services import audit_record
from idbridge.connectors.types import PermanentCampusError

log = logging.getLogger(__name__)
MATCH_FIELDS = ("staffNumber", "personID", "lastName", "firstName", "middleName", "birthDate")


def preflight_queue(*, hr_import: HrImport, actor) -> None:
    if not hr_import.is_checked:
        raise ConsoleError("Check the file first.")
    with transaction.atomic():
        claimed = (
            HrImport.objects.filter(id=hr_import.id)
            .exclude(preflight_status__in=["queued", "running"])
            .update(preflight_status="queued", preflight_done=0, preflight_total=None)
        )
        if not claimed:
            raise ConsoleError("The pre-flight is already running.")
        audit_record(actor=actor, action="boi.preflight.queued", target=hr_import, details={})
        run_preflight.delay_on_commit(hr_import.id)


def preflight_release(import_id: int, message: str) -> None:
    HrImport.objects.filter(id=import_id, preflight_status="running").update(
        preflight_status="queued"
    )


def preflight_fail(*, import_id: int, message: str) -> None:
    HrImport.objects.filter(id=import_id).update(
        preflight_status="failed", preflight_summary={"error": message}
    )


def _campus_components(found: dict) -> dict:
    source = found.get("address") if isinstance(found.get("address"), dict) else found
    return components_of(source)


def preflight_run(*, import_id: int) -> dict | None:
    claimed = HrImport.objects.filter(id=import_id, preflight_status="queued").update(
        preflight_status="running", preflight_started_at=timezone.now()
    )
    if not claimed:
        return None
    hr_import = HrImport.objects.select_related("connection").get(id=import_id)
    client = client_for(hr_import.connection)
    rows = HrRow.objects.filter(hr_import=hr_import, is_excluded=False, has_errors=False)
    keys = rows.exclude(address_key="").values("address_key").distinct().count()
    HrImport.objects.filter(id=import_id).update(preflight_total=keys + rows.count())
    try:
        summary = _addresses(hr_import, client, rows)
        summary.update(_staff(hr_import, client, rows, done=summary["addresses"]))
    except PermanentCampusError as exc:
        preflight_fail(import_id=import_id, message=str(exc))
        return None
    with transaction.atomic():
        HrImport.objects.filter(id=import_id).update(
            preflight_status="done", preflight_summary=summary
        )
        audit_record(
            actor="boi:preflight", action="boi.preflight.done", target=hr_import, details=summary
        )
    return summary


def _addresses(hr_import: HrImport, client, rows) -> dict:
    AddressCheck.objects.filter(hr_import=hr_import).delete()
    current: AddressCheck | None = None
    done = in_campus = with_address = 0

    def close(check: AddressCheck | None):
        nonlocal done, in_campus
        if check is None:
            return
        search = dict(check.components)
        found = client.find_addresses(search)
        check.campus_address = _campus_components(found[0]) if found else None
        check.checked = True
        check.save()
        done += 1
        in_campus += bool(found)
        if done % 50 == 0:
            HrImport.objects.filter(id=hr_import.id).update(preflight_done=done)

    ordered = rows.exclude(address_key="").order_by("address_key", "row_number")
    fields = ("address_key", "address_components", "address_spelling")
    for key, components, spelling in ordered.values_list(*fields).iterator(chunk_size=2000):
        with_address += 1
        if current is None or current.key != key:
            close(current)
            current = AddressCheck(
                hr_import=hr_import, key=key, components=components or {}, spellings=[]
            )
        current.row_count += 1
        if spelling and spelling not in current.spellings and len(current.spellings) < 5:
            current.spellings.append(spelling)
    close(current)
    return {
        "addresses": done,
        "addresses_in_campus": in_campus,
        "addresses_new": done - in_campus,
        "rows_with_address": with_address,
    }


def _staff(hr_import: HrImport, client, rows, *, done: int) -> dict:
    StaffCheck.objects.filter(hr_import=hr_import).delete()
    found = missing = duplicates = 0
    batch: list[StaffCheck] = []
    for row in rows.order_by("row_number").iterator(chunk_size=2000):
        if client.find_staff(row.staff_number):
            found += 1
        else:
            matches = []
            if row.last_name and row.first_name:
                matches = [
                    {k: m.get(k) for k in MATCH_FIELDS if m.get(k) not in (None, "")}
                    for m in client.search_staff(
                        last_name=row.last_name,
                        first_name=row.first_name,
                        birth_date=row.birth_date,
                    )
                    if str(m.get("staffNumber") or "") != row.staff_number
                ]
            outcome = StaffCheck.Outcome.LIKELY_DUPLICATE if matches else StaffCheck.Outcome.MISSING
            duplicates += bool(matches)
            missing += not matches
            batch.append(
                StaffCheck(
                    hr_import=hr_import,
                    row=row,
                    staff_number=row.staff_number,
                    outcome=outcome,
                    campus_matches=matches[:5],
                )
            )
        done += 1
        if done % 50 == 0:
            StaffCheck.objects.bulk_create(batch)
            batch = []
            HrImport.objects.filter(id=hr_import.id).update(preflight_done=done)
    StaffCheck.objects.bulk_create(batch)
    HrImport.objects.filter(id=hr_import.id).update(preflight_done=done)
    return {"staff_found": found, "staff_missing": missing, "likely_duplicates": duplicates}
