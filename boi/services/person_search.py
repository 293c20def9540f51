"""Pre-flight's search among every Campus person, not only staff.

The BOI guide's only person search is the staff search (``GET staff``), and it finds staff
only: a parent or a former student hired by the district is not found by it, and the sync
would make them a second person in Campus (the guide's "An existing Student/Parent in
Infinite Campus becomes an Employee"). The BOI connection's **people connection** (a Cloud
REST connection of the staff onboarding app) reads the same Campus's OneRoster users —
students, parents, guardians and staff alike — so after the staff numbers are checked:

- the HR staff members Campus does not have are gathered by name;
- their family names are looked up in OneRoster users: one ``familyName~'…'`` query per
  distinct family name, or one paged pass over every user when that takes fewer requests
  (a page costs about ``PAGE_COST_IN_NAME_QUERIES`` name queries, bench/
  bench_people_search.py); given and family name are compared whole, without case or
  accents;
- a name match's birth date is read from OneRoster demographics (one call per candidate,
  not per HR row, and only when HR has a birth date; every user's demographics in one
  paged pass when that takes fewer requests) and must equal HR's;
- each HR staff member matched becomes a likely duplicate naming the Campus person, their
  OneRoster roles (student, parent …) and person ID.

The OneRoster requests (name queries, demographics calls, the pages of a paged pass) are
sent as the pre-flight's BOI lookups are (``boi.services.lookups.CampusLookups``): a few
in flight at once, their answers taken in the order they were asked, so the result is the
one a request at a time gives; a request that fails raises in its turn and nothing is
marked.

Without a people connection only staff are searched, and the pre-flight page says so; so
it does when OneRoster refuses (the staff checks stand). Campus not answering is retried
with the rest of the pre-flight.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from boi.models import HrImport, StaffCheck
from boi.services.lookups import CampusLookups
from idbridge.connectors.rest import NON_STAFF_ROLES, RestConnector, filter_value
from idbridge.connectors.types import PermanentCampusError, Progress
from staff.connectors import connector_for
from staff.models import CampusConnection

# A page of users (or of demographics) costs the sandbox about as much as this many name
# queries / demographics calls (bench/bench_people_search.py at 20,000 persons, pages of
# 1,000: 0.6-0.8 s a page, 0.38 s a name query, 0.07 s a user's demographics).
PAGE_COST_IN_NAME_QUERIES = 2
PAGE_COST_IN_DEMOGRAPHICS_CALLS = 10
MATCHES_KEPT = 5


def fold(name: str) -> str:
    """A name compared whole, without case or accents: "Muñoz " → "munoz".

    >>> fold("  Muñoz ") == fold("MUNOZ")
    True
    """
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


def people_connection_of(hr_import: HrImport) -> CampusConnection | None:
    """The OneRoster connection pre-flight searches Campus persons with (None: staff only)."""
    connection = hr_import.connection.people_connection
    if connection is None or not connection.enabled or connection.kind != "rest":
        return None
    return connection


def _name_of(user: dict) -> tuple[str, str]:
    return fold(str(user.get("familyName") or "")), fold(str(user.get("givenName") or ""))


def _users_named(
    lookups: CampusLookups, connector: RestConnector, names: set[tuple[str, str]], pages
) -> Iterator[dict]:
    """OneRoster users whose (family, given) name folds to one of ``names``."""
    family = sorted({last for last, _ in names})
    if pages is not None and len(family) > pages * PAGE_COST_IN_NAME_QUERIES:
        users: Iterable[dict] = _every_record(lookups, connector, "users", pages)
    else:
        queries = [f"familyName~{filter_value(last)}" for last in family]
        answers = lookups.in_order(queries, lambda where: _users_where(connector, where))
        users = (user for _, found in answers for user in found)
    seen: set[str] = set()
    for user in users:
        sourced_id = str(user.get("sourcedId") or "")
        if _name_of(user) in names and sourced_id not in seen:
            seen.add(sourced_id)
            yield user


def _users_where(connector: RestConnector, where: str) -> list[dict]:
    return list(connector.iter_users(since=None, progress=Progress(), where=where))


def _every_record(
    lookups: CampusLookups, connector: RestConnector, collection: str, pages: int
) -> Iterator[dict]:
    """Every record of ``collection``, in Campus's order: the ``pages`` Campus counted read
    side by side, then any that follow (Campus grew meanwhile) one after the other."""
    size = connector.config.page_size
    offsets = range(0, max(pages, 1) * size, size)
    last: list[dict] = []
    for _, last in lookups.in_order(offsets, lambda at: connector.page(collection, at)):
        yield from last
    offset = len(offsets) * size
    while len(last) >= size:
        last = connector.page(collection, offset)
        offset += size
        yield from last


def _as_match(connector: RestConnector, user: dict) -> dict:
    roles = sorted({str(r.get("role")) for r in user.get("roles") or [] if r.get("role")})
    person_id = connector.person_id_of(user)
    match = {
        "lastName": str(user.get("familyName") or ""),
        "firstName": str(user.get("givenName") or ""),
        "staffNumber": connector.staff_number_of(user),
        "personID": person_id,
        "roles": [r for r in roles if r in NON_STAFF_ROLES] or roles,
    }
    return {k: v for k, v in match.items() if v not in (None, "", [])}


def _birth_dates(
    lookups: CampusLookups, connector: RestConnector, users: list[dict], pages: int | None
) -> dict:
    """sourcedId → the user's birth date (ISO, "" when Campus has none): one demographics
    call per user, or every user's demographics read in one paged pass when that costs
    less."""
    wanted = {str(user["sourcedId"]) for user in users}
    if pages is not None and len(wanted) > pages * PAGE_COST_IN_DEMOGRAPHICS_CALLS:
        return {
            str(d.get("sourcedId")): str(d.get("birthDate") or "")
            for d in _every_record(lookups, connector, "demographics", pages)
            if str(d.get("sourcedId")) in wanted
        }
    births = lookups.in_order(sorted(wanted), connector.birth_date)
    return {sourced_id: birth.isoformat() if birth else "" for sourced_id, birth in births}


def _pages(connector: RestConnector) -> int | None:
    """Pages of users (and of demographics) Campus has; None when it does not say."""
    total = connector.users_total()
    return -(-total // connector.config.page_size) if total is not None else None


def _people_named(
    connector: RestConnector, names: set[tuple[str, str]], dated: set[tuple[str, str]]
) -> tuple[dict[tuple[str, str], list[dict]], dict]:
    """Campus's users by folded name, and the birth dates of those named as an HR staff
    member with a birth date (``dated``): read as many requests at a time as the
    pre-flight's BOI lookups (``boi.services.lookups.MAX_CONCURRENCY``), in the order one
    at a time would read them. A request that fails raises (nothing half
    read is returned)."""
    with CampusLookups(connector) as lookups:
        pages = _pages(connector)
        by_name: dict[tuple[str, str], list[dict]] = {}
        for user in _users_named(lookups, connector, names, pages):
            by_name.setdefault(_name_of(user), []).append(user)
        named = [u for key in dated for u in by_name.get(key, [])]
        births = _birth_dates(lookups, connector, named, pages)
    return by_name, births


def people_duplicates_find(*, hr_import: HrImport) -> int | None:
    """Mark the import's missing staff that a Campus person (student, parent …) has the
    name and birth date of as likely duplicates; how many (None: no people connection)."""
    connection = people_connection_of(hr_import)
    if connection is None:
        return None
    checks = [
        c
        for c in StaffCheck.objects.filter(
            hr_import=hr_import, outcome=StaffCheck.Outcome.MISSING
        ).select_related("row")
        if c.row.last_name and c.row.first_name
    ]
    names = {(fold(c.row.last_name), fold(c.row.first_name)) for c in checks}
    if not names:
        return 0
    connector = connector_for(connection)
    dated = {(fold(c.row.last_name), fold(c.row.first_name)) for c in checks if c.row.birth_date}
    by_name, births = _people_named(connector, names, dated)
    marked = []
    for check in checks:
        row = check.row
        people = by_name.get((fold(row.last_name), fold(row.first_name)), [])
        same = [u for u in people if row.birth_date in ("", births.get(str(u["sourcedId"])))]
        if same:
            check.outcome = StaffCheck.Outcome.LIKELY_DUPLICATE
            check.campus_matches = [_as_match(connector, u) for u in same[:MATCHES_KEPT]]
            marked.append(check)
    StaffCheck.objects.bulk_update(marked, ["outcome", "campus_matches"], batch_size=500)
    return len(marked)


def summary_with_people(summary: dict, *, hr_import: HrImport, running=None) -> dict:
    """The pre-flight summary once every Campus person was searched: the missing staff
    found as someone else in Campus counted as likely duplicates instead."""
    summary["people_searched"] = people_connection_of(hr_import) is not None
    if not summary["people_searched"]:
        return summary
    if running is not None:  # the last step: the count stays where the staff check left it
        done = summary["addresses"] + summary["staff_found"] + summary["staff_missing"]
        done += summary["likely_duplicates"]
        running.progress(done, step="Students, parents and guardians in Campus")
    try:
        found = people_duplicates_find(hr_import=hr_import) or 0
    except PermanentCampusError as exc:  # the staff checks stand; the page says why not
        summary["people_searched"] = False
        summary["people_search_error"] = str(exc)
        return summary
    summary["staff_missing"] -= found
    summary["likely_duplicates"] += found
    summary["people_duplicates"] = found
    return summary
