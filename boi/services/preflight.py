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

from boi.client import client_for
from boi.jobs import PREFLIGHT
from boi.models import AddressCheck, HrImport, HrRow, StaffCheck
from boi.rules.addresses import components_of
from boi.services import ConsoleError
from idbridge.audit.services import audit_record
from idbridge.connectors.types import PermanentCampusError, TransientCampusError
from idbridge.jobs.services import RunningJob, job_execute, job_queue

log = logging.getLogger(__name__)
MATCH_FIELDS = ("staffNumber", "personID", "lastName", "firstName", "middleName", "birthDate")


def preflight_queue(*, hr_import: HrImport, actor) -> None:
    if not hr_import.is_checked:
        raise ConsoleError("Check the file first.")
    with transaction.atomic():
        claimed = (
            HrImport.objects.filter(id=hr_import.id)
            .exclude(preflight_status__in=["queued", "running"])
            .update(preflight_status="queued")
        )
        if not claimed:
            raise ConsoleError("The pre-flight is already running.")
        job = job_queue(kind=PREFLIGHT, subject_id=hr_import.id)
        HrImport.objects.filter(id=hr_import.id).update(preflight_job=job)
        audit_record(
            actor=actor, action="boi.preflight.queued", target=hr_import, details={"job": job.id}
        )


def _campus_components(found: dict) -> dict:
    source = found.get("address") if isinstance(found.get("address"), dict) else found
    return components_of(source)


def preflight_run(*, job_id: int) -> dict | None:
    """Run the pre-flight job ``job_id``; None when it is not ours or it failed. Campus
    being unreachable is raised for the task to retry; Campus refusing fails the job."""
    return job_execute(
        job_id, _preflight, release_on=(TransientCampusError,), readable=(PermanentCampusError,)
    )


def _preflight(running: RunningJob) -> dict:
    import_id = running.subject_id
    HrImport.objects.filter(id=import_id).update(preflight_status="running")
    hr_import = HrImport.objects.select_related("connection").get(id=import_id)
    client = client_for(hr_import.connection)
    rows = HrRow.objects.filter(hr_import=hr_import, is_excluded=False, has_errors=False)
    keys = rows.exclude(address_key="").values("address_key").distinct().count()
    running.progress(0, total=keys + rows.count(), step="Addresses in Campus")
    summary = _addresses(hr_import, client, rows, running)
    running.progress(summary["addresses"], step="Staff numbers in Campus")
    summary.update(_staff(hr_import, client, rows, running, done=summary["addresses"]))
    with transaction.atomic():
        HrImport.objects.filter(id=import_id).update(
            preflight_status="done", preflight_summary=summary
        )
        audit_record(
            actor="boi:preflight", action="boi.preflight.done", target=hr_import, details=summary
        )
        running.succeed()
    return summary


def _addresses(hr_import: HrImport, client, rows, running: RunningJob) -> dict:
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
        running.progress(done)

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


def _staff(hr_import: HrImport, client, rows, running: RunningJob, *, done: int) -> dict:
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
        if len(batch) >= 50:
            StaffCheck.objects.bulk_create(batch)
            batch = []
        running.progress(done)
    StaffCheck.objects.bulk_create(batch)
    running.progress(done, step="Staff numbers in Campus")
    return {"staff_found": found, "staff_missing": missing, "likely_duplicates": duplicates}
