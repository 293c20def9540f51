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
from collections.abc import Iterator

from django.db import transaction

from boi.client import client_for
from boi.jobs import PREFLIGHT
from boi.models import AddressCheck, HrImport, HrRow, StaffCheck
from boi.rules.addresses import components_of
from boi.services import ConsoleError
from boi.services.lookups import CampusLookups
from boi.services.person_search import summary_with_people
from idbridge.audit.services import audit_record
from idbridge.connectors.types import PermanentCampusError, TransientCampusError
from idbridge.db import pages, rows_delete
from idbridge.jobs.services import RunningJob, job_execute, job_queue

log = logging.getLogger(__name__)
MATCH_FIELDS = ("staffNumber", "personID", "lastName", "firstName", "middleName", "birthDate")
CHECKS_PER_WRITE = 50  # address and staff checks stored per INSERT
ROWS_PER_READ = 2000  # HR rows per page read (idbridge.db.pages: no read left open)


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


def campus_components(found: dict) -> dict:
    """The components of an address Campus's address search found."""
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
    with CampusLookups(client) as lookups:
        summary = _addresses(hr_import, lookups, rows, running)
        running.progress(summary["addresses"], step="Staff numbers in Campus")
        summary.update(_staff(hr_import, lookups, rows, running, done=summary["addresses"]))
    summary = summary_with_people(summary, hr_import=hr_import, running=running)
    with transaction.atomic():
        HrImport.objects.filter(id=import_id).update(
            preflight_status="done", preflight_summary=summary
        )
        audit_record(
            actor="boi:preflight", action="boi.preflight.done", target=hr_import, details=summary
        )
        running.succeed()
    return summary


def _address_checks(hr_import: HrImport, rows, counts: dict) -> Iterator[AddressCheck]:
    """One unsaved check per distinct address key (the rows come grouped by key)."""
    current: AddressCheck | None = None
    fields = ("address_key", "row_number", "address_components", "address_spelling")
    ordered = rows.exclude(address_key="").only(*fields)
    for row in (row for page in pages(ordered, fields[:2], ROWS_PER_READ) for row in page):
        key, components, spelling = row.address_key, row.address_components, row.address_spelling
        counts["rows_with_address"] += 1
        if current is None or current.key != key:
            if current is not None:
                yield current
            current = AddressCheck(
                hr_import=hr_import, key=key, components=components or {}, spellings=[]
            )
        current.row_count += 1
        if spelling and spelling not in current.spellings and len(current.spellings) < 5:
            current.spellings.append(spelling)
    if current is not None:
        yield current


def _addresses(hr_import: HrImport, lookups: CampusLookups, rows, running: RunningJob) -> dict:
    rows_delete(AddressCheck.objects.filter(hr_import=hr_import))
    counts = {"rows_with_address": 0}
    done = in_campus = 0

    def campus_address(check: AddressCheck) -> dict | None:
        found = lookups.client.find_addresses(dict(check.components))
        return campus_components(found[0]) if found else None

    checks = list(_address_checks(hr_import, rows, counts))  # read whole before writing
    batch: list[AddressCheck] = []
    for check, campus in lookups.in_order(checks, campus_address):
        check.campus_address = campus
        check.checked = True
        batch.append(check)
        done += 1
        in_campus += campus is not None
        if len(batch) >= CHECKS_PER_WRITE:  # one short write, not one per address
            AddressCheck.objects.bulk_create(batch)
            batch = []
        running.progress(done)
    AddressCheck.objects.bulk_create(batch)
    return {
        "addresses": done,
        "addresses_in_campus": in_campus,
        "addresses_new": done - in_campus,
        "rows_with_address": counts["rows_with_address"],
    }


def _campus_matches(lookups: CampusLookups, row: HrRow) -> list[dict] | None:
    """None when Campus has the row's staff number; else the people Campus has under
    another number with the row's name and birth date (likely duplicates)."""
    client, number = lookups.client, row.staff_number
    if lookups.once(("staff", number), lambda: bool(client.find_staff(number))):
        return None
    if not (row.last_name and row.first_name):
        return []
    people = lookups.once(
        ("search", row.last_name, row.first_name, row.birth_date),
        lambda: [
            {k: m.get(k) for k in MATCH_FIELDS if m.get(k) not in (None, "")}
            for m in client.search_staff(
                last_name=row.last_name, first_name=row.first_name, birth_date=row.birth_date
            )
        ],
    )
    return [m for m in people if str(m.get("staffNumber") or "") != number]


def _staff(hr_import: HrImport, lookups: CampusLookups, rows, running: RunningJob, *, done) -> dict:
    rows_delete(StaffCheck.objects.filter(hr_import=hr_import))
    found = missing = duplicates = 0
    batch: list[StaffCheck] = []
    fields = ("row_number", "staff_number", "last_name", "first_name", "birth_date")
    paged = pages(rows.only(*fields), ("row_number",), ROWS_PER_READ)
    ordered = (row for page in paged for row in page)
    for row, matches in lookups.in_order(ordered, lambda row: _campus_matches(lookups, row)):
        if matches is None:
            found += 1
        else:
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
        if len(batch) >= CHECKS_PER_WRITE:
            StaffCheck.objects.bulk_create(batch)
            batch = []
        running.progress(done)
    StaffCheck.objects.bulk_create(batch)
    running.progress(done, step="Staff numbers in Campus")
    return {"staff_found": found, "staff_missing": missing, "likely_duplicates": duplicates}
