"""Cloud REST connector: OAuth2 client credentials + OneRoster 1.2 rostering.

Discovery asks for users changed since the watermark (minus an overlap window, so a user
modified while the last run was reading is not missed), follows ``Link: rel="next"``
pages, keeps staff roles only and de-duplicates by ``sourcedId``. The new watermark is
the time the run *started*; the caller stores it only when the run finishes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import requests

from idbridge.connectors.http import call_with_retries, permanent_for
from idbridge.connectors.tokens import ClientCredentials, SharedCache, TokenSource
from idbridge.connectors.types import (
    Assignment,
    CampusPerson,
    PermanentCampusError,
    PollCursor,
    Progress,
    TransientCampusError,
    district_today,
    is_staff_on,
)
from idbridge.ids import database_id

log = logging.getLogger(__name__)

# OneRoster 1.2 role values that are not staff.
NON_STAFF_ROLES = frozenset({"student", "parent", "guardian", "relative"})


@dataclass
class RestSettings:
    token_url: str
    rostering_base_url: str  # ends with /rostering/v1p2/
    client_id: str
    client_secret: str
    staff_number_field: str = "identifier"  # or "userIds:<type>"
    # Where Campus's personID is (the person's identity across connections); see user_value.
    person_id_field: str = "userIds:personID"
    page_size: int = 1000
    max_concurrency: int = 2
    overlap_seconds: int = 300
    timeout: float = 15.0
    time_zone: str = "UTC"  # the district's: a role's beginDate and endDate are its dates


def _parse_dt(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def user_value(user: dict, spec: str) -> str:
    """The value ``spec`` names in a OneRoster user, trimmed ("" when absent):
    ``userIds:<type>`` (the identifier of that type), ``metadata:<key>`` (an extension
    field) or a user field (``identifier``, ``sourcedId``, ``userMasterIdentifier``...).

    >>> user_value({"userIds": [{"type": "personID", "identifier": " 42"}]}, "userIds:personID")
    '42'
    >>> user_value({"metadata": {"ic.personID": 42}}, "metadata:ic.personID")
    '42'
    >>> user_value({"identifier": "S1"}, "userIds:staffNumber")
    ''
    """
    kind, _, name = spec.partition(":")
    if kind == "userIds" and name:
        for entry in user.get("userIds") or []:
            if isinstance(entry, dict) and entry.get("type") == name:
                return str(entry.get("identifier") or "").strip()
        return ""
    if kind == "metadata" and name:
        metadata = user.get("metadata")
        return str((metadata.get(name) if isinstance(metadata, dict) else "") or "").strip()
    return str(user.get(spec) or "").strip()


def format_watermark(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def filter_value(value: str) -> str:
    """A OneRoster filter value, quoted: ``O'Brien`` → ``'O''Brien'``."""
    return "'" + value.replace("'", "''") + "'"


class RestConnector:
    def __init__(self, config: RestSettings, cache: SharedCache, cache_key: str, *, session=None):
        self.config = config
        self.http = session or requests.Session()
        self.tokens = TokenSource(
            ClientCredentials(config.token_url, config.client_id, config.client_secret),
            cache,
            f"{cache_key}:token",
            session=self.http,
            timeout=config.timeout,
        )
        self.requests_made = 0
        self._lock = threading.Lock()
        # Each org's name by its sourcedId (``org_names``): a role names its org by id only.
        self.org_names: dict[str, str] = {}

    # --- plumbing ---------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.config.rostering_base_url.rstrip("/") + "/" + path.lstrip("/")

    def _get(self, url: str, params: dict | None = None, *, what: str) -> requests.Response:
        """GET with the bearer token; one fresh token on 401; 404 returned to the caller."""
        for attempt in range(2):
            token = self.tokens.token()

            def send(token=token):
                with self._lock:
                    self.requests_made += 1
                return self.http.get(
                    url,
                    params=params,
                    timeout=self.config.timeout,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                )

            response = call_with_retries(send, what=what)
            if response.status_code == 401 and attempt == 0:
                self.tokens.forget()
                continue
            if response.status_code == 401:
                raise PermanentCampusError(f"{what}: Campus refused a fresh token (HTTP 401).")
            if response.status_code >= 400 and response.status_code != 404:
                raise permanent_for(response, what)
            return response
        raise AssertionError("unreachable")

    def _json(self, response: requests.Response, what: str) -> dict:
        try:
            return response.json()
        except ValueError:
            raise TransientCampusError(
                f"{what}: Campus sent a response that is not JSON."
            ) from None

    # --- mapping ------------------------------------------------------------------------

    def staff_number_of(self, user: dict) -> str:
        return user_value(user, self.config.staff_number_field)

    def person_id_of(self, user: dict) -> int | None:
        """Campus's personID for ``user``, where the connection says it is; None when the
        user carries none (or not a number)."""
        return database_id(user_value(user, self.config.person_id_field))

    def person_from(self, user: dict, birth_date: date | None = None) -> CampusPerson:
        roles = user.get("roles") or []
        # A leaver keeps the ended role in the list; a new hire's role may not have begun.
        # A staff role's org stands for the school of a SOAP assignment (its sourcedId).
        orgs = [str((r.get("org") or {}).get("sourcedId") or "") for r in roles]
        positions = tuple(
            Assignment(
                school_number=org,
                school_name=self.org_names.get(org, ""),
                title_code=str(r.get("role") or ""),
                start_date=_parse_date(r.get("beginDate")),
                end_date=_parse_date(r.get("endDate")),
            )
            for r, org in zip(roles, orgs, strict=True)
            if r.get("role") not in NON_STAFF_ROLES
        )
        staff_roles = [(a.start_date, a.end_date) for a in positions]
        is_staff = is_staff_on(staff_roles, district_today(self.config.time_zone))
        active = (
            user.get("status", "active") != "tobedeleted"
            and str(user.get("enabledUser", "true")).lower() != "false"
        )
        role_names = tuple(sorted({str(r["role"]) for r in roles if r.get("role")}))
        return CampusPerson(
            person_id=self.person_id_of(user),
            sourced_id=str(user["sourcedId"]),
            staff_number=self.staff_number_of(user),
            first_name=str(user.get("givenName") or ""),
            last_name=str(user.get("familyName") or ""),
            middle_name=str(user.get("middleName") or ""),
            birth_date=birth_date,
            work_email=str(user.get("email") or ""),
            mobile=str(user.get("sms") or ""),
            is_staff=is_staff,
            is_active=active,
            roles=role_names,
            date_modified=_parse_dt(user.get("dateLastModified")),
            assignments=positions,
        )

    # --- the Connector interface --------------------------------------------------------

    def test_connection(self) -> str:
        self.tokens.forget()
        self.tokens.token()
        total = self.users_total()
        return (
            "Signed in with the client credentials; Campus reports "
            f"{'?' if total is None else total} users."
        )

    def users_total(self) -> int | None:
        """How many users Campus has (a one-user page's X-Total-Count; None: not said)."""
        response = self._get(self._url("users"), {"limit": 1}, what="OneRoster users")
        total = response.headers.get("X-Total-Count", "")
        return int(total) if total.isascii() and total.isdigit() else None

    def get_person(self, key: str) -> CampusPerson | None:
        response = self._get(self._url(f"users/{key}"), what="OneRoster user")
        if response.status_code == 404:
            return None
        user = self._json(response, "OneRoster user").get("user") or {}
        birth = self.birth_date(key)
        return self.person_from(user, birth)

    def birth_date(self, key: str) -> date | None:
        response = self._get(self._url(f"demographics/{key}"), what="OneRoster demographics")
        if response.status_code == 404:
            return None
        return _parse_date(
            (self._json(response, "demographics").get("demographics") or {}).get("birthDate")
        )

    def iter_users(
        self, *, since: datetime | None, progress: Progress, where: str = ""
    ) -> Iterator[dict]:
        """Every user (modified after ``since``), page by page; ``where``: a OneRoster
        filter of its own instead (``filter_value`` quotes its values)."""
        params = {"limit": self.config.page_size, "offset": 0, "sort": "sourcedId"}
        if since is not None:
            params["filter"] = f"dateLastModified>'{format_watermark(since)}'"
        if where:
            params["filter"] = where
        yield from self._iter_pages("users", params, progress)

    def org_names_fetch(self) -> dict[str, str]:
        """Every org's name (the district and its schools) by sourcedId, from ``/orgs``,
        kept for ``person_from``: a poll reads them once, before the users. A Campus that
        refuses the orgs (no such endpoint, no right to them) leaves the names unknown
        rather than stopping the poll; the dashboard then shows the org's id, saying so."""
        params = {"limit": self.config.page_size, "offset": 0, "sort": "sourcedId"}
        try:
            orgs = list(self._iter_pages("orgs", params, Progress()))
        except PermanentCampusError:
            log.warning("OneRoster orgs refused: schools are shown by their ids")
            return self.org_names
        self.org_names = {
            str(org["sourcedId"]): str(org.get("name") or "").strip()
            for org in orgs
            if isinstance(org, dict) and org.get("sourcedId")
        }
        return self.org_names

    def iter_demographics(self) -> Iterator[dict]:
        """Every user's demographics (birth date), page by page."""
        params = {"limit": self.config.page_size, "offset": 0, "sort": "sourcedId"}
        yield from self._iter_pages("demographics", params, Progress())

    def page(self, collection: str, offset: int, *, where: str = "") -> list[dict]:
        """The records of one page of ``collection`` at ``offset`` (sorted by sourcedId,
        ``where`` a filter of its own): what ``_iter_pages`` reads by following Campus's
        next links, asked for directly so that several pages can be read side by side."""
        params = {"limit": self.config.page_size, "offset": offset, "sort": "sourcedId"}
        if where:
            params["filter"] = where
        what = f"OneRoster {collection}"
        response = self._get(self._url(collection), params, what=what)
        if response.status_code == 404:
            raise PermanentCampusError(f"{what}: not found (check the base URL).")
        return self._json(response, what).get(collection) or []

    def _iter_pages(self, collection: str, params: dict, progress: Progress) -> Iterator[dict]:
        what = f"OneRoster {collection}"
        url, first = self._url(collection), True
        while url:
            response = self._get(url, params if first else None, what=what)
            if response.status_code == 404:
                raise PermanentCampusError(f"{what}: not found (check the base URL).")
            total = response.headers.get("X-Total-Count", "")
            if first and total.isascii() and total.isdigit():
                progress.total = int(total)
            first = False
            for record in self._json(response, what).get(collection) or []:
                progress.done += 1
                yield record
            url = response.links.get("next", {}).get("url")

    def iter_new_staff(self, cursor: PollCursor, progress: Progress) -> Iterator[CampusPerson]:
        started = datetime.now(UTC)
        since = (
            cursor.watermark - timedelta(seconds=self.config.overlap_seconds)
            if cursor.watermark
            else None
        )
        seen: set[str] = set()
        self.org_names_fetch()
        for user in self.iter_users(since=since, progress=progress):
            sourced_id = str(user.get("sourcedId") or "")
            if not sourced_id or sourced_id in seen:
                continue
            seen.add(sourced_id)
            person = self.person_from(user)
            # Students and parents are skipped; a user left with no staff role (assignments
            # ended) or marked tobedeleted is passed on so that access can be revoked.
            if person.is_staff or not person.is_active or not (set(person.roles) & NON_STAFF_ROLES):
                yield person
        cursor.watermark = started

    def iter_all_staff(self, progress: Progress) -> Iterator[CampusPerson]:
        """Every staff user (full reconciliation)."""
        seen: set[str] = set()
        self.org_names_fetch()
        for user in self.iter_users(since=None, progress=progress):
            sourced_id = str(user.get("sourcedId") or "")
            if sourced_id and sourced_id not in seen:
                seen.add(sourced_id)
                person = self.person_from(user)
                if person.is_staff:
                    yield person
