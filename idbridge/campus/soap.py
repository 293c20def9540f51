"""Legacy SOAP connector: Campus's Identity Service over zeep with a WS-Security
UsernameToken.

Authenticate returns a session valid for 30 minutes. The session is kept in the shared
cache (every worker uses the same one), renewed a little before it expires, and on a
session fault re-authenticated once and the call retried — so in steady state there is
one authentication per session lifetime, whatever the number of workers.

Only ``GetPerson(personID)`` exists, so discovery walks person IDs above the highest one
seen and stops after a run of misses. Persons who are not staff yet are rechecked on
later polls: they become staff when Campus gives them a position.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import requests
from zeep import Client, Settings
from zeep.cache import InMemoryCache
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from idbridge.campus.http import backoff
from idbridge.campus.tokens import SharedCache
from idbridge.campus.types import (
    Assignment,
    CampusPerson,
    PermanentCampusError,
    PollCursor,
    Progress,
    TransientCampusError,
)

SESSION_FAULTS = {"SessionExpired", "InvalidSession"}
CREDENTIAL_FAULTS = {"InvalidCredentials", "MissingSecurityHeader", "InvalidSecurityToken"}
RENEW_BEFORE_SECONDS = 60


@dataclass
class SoapSettings:
    wsdl_url: str
    username: str
    password: str
    use_digest: bool = True
    timeout: float = 15.0
    miss_run_limit: int = 50
    recheck_batch: int = 500
    attempts: int = 4


def fault_code(fault: Fault) -> str:
    """The machine-readable code in the fault's detail (``CampusFault/code``)."""
    detail = fault.detail
    if detail is not None:
        for element in detail.iter():
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == "code":
                return (element.text or "").strip()
    return (fault.code or "").rsplit(":", 1)[-1]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SoapConnector:
    def __init__(
        self,
        config: SoapSettings,
        cache: SharedCache,
        cache_key: str,
        *,
        session=None,
        sleep=time.sleep,
    ):
        self.config = config
        self.cache = cache
        self.session_key = f"{cache_key}:soap-session"
        self.lock_key = f"{cache_key}:soap-auth-lock"
        self.sleep = sleep
        self.http = session or requests.Session()
        self._client: Client | None = None
        self.authentications = 0
        self.requests_made = 0

    # --- plumbing ---------------------------------------------------------------------

    @property
    def client(self) -> Client:
        if self._client is None:
            transport = Transport(
                session=self.http,
                timeout=self.config.timeout,
                operation_timeout=self.config.timeout,
                cache=InMemoryCache(timeout=3600),
            )
            try:
                self._client = Client(
                    self.config.wsdl_url,
                    transport=transport,
                    settings=Settings(
                        strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True
                    ),
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise TransientCampusError(f"Cannot load the WSDL: {type(exc).__name__}") from None
            except (ZeepError, requests.RequestException, ValueError) as exc:
                raise PermanentCampusError(
                    f"The WSDL at {self.config.wsdl_url} cannot be used: {exc}"
                ) from None
        return self._client

    def _call(self, operation: str, *, wsse=None, **kwargs):
        """One SOAP call; transient failures retried with backoff, faults classified."""
        last = None
        for attempt in range(self.config.attempts):
            self.requests_made += 1
            try:
                service = self.client.service
                self.client.wsse = wsse
                return getattr(service, operation)(**kwargs)
            except Fault as fault:
                code = fault_code(fault)
                if code == "RateLimited":
                    retry_after = _retry_after(fault)
                    last = TransientCampusError(
                        "Campus is rate limiting the Identity Service.", retry_after=retry_after
                    )
                    if attempt + 1 < self.config.attempts:
                        self.sleep(retry_after if retry_after is not None else backoff(attempt))
                    continue
                if code == "InternalError":
                    last = TransientCampusError("Campus's Identity Service failed (InternalError).")
                    self.sleep(backoff(attempt))
                    continue
                raise _FaultWithCode(code, fault.message) from None
            except requests.Timeout:
                last = TransientCampusError(f"{operation}: Campus did not answer in time.")
            except requests.ConnectionError as exc:
                last = TransientCampusError(
                    f"{operation}: cannot reach Campus ({type(exc).__name__})."
                )
            except TransportError as exc:
                if exc.status_code in (429, 500, 502, 503, 504):
                    last = TransientCampusError(
                        f"{operation}: Campus answered HTTP {exc.status_code}."
                    )
                else:
                    raise PermanentCampusError(
                        f"{operation}: Campus answered HTTP {exc.status_code}."
                    ) from None
            except (ZeepError, ValueError) as exc:
                raise PermanentCampusError(
                    f"{operation}: unreadable answer from Campus ({exc})."
                ) from None
            finally:
                self.client.wsse = None
            if attempt + 1 < self.config.attempts:
                self.sleep(backoff(attempt))
        raise last

    # --- sessions -----------------------------------------------------------------------

    def _authenticate(self) -> str:
        token = UsernameToken(
            self.config.username, self.config.password, use_digest=self.config.use_digest
        )
        try:
            result = self._call("Authenticate", wsse=token)
        except _FaultWithCode as fault:
            if fault.code in CREDENTIAL_FAULTS:
                raise PermanentCampusError(
                    "Campus rejected the SOAP user name or password."
                ) from None
            raise PermanentCampusError(
                f"Authenticate failed: {fault.code}: {fault.message}"
            ) from None
        self.authentications += 1
        session_id = _text(getattr(result, "sessionID", None))
        expires = _datetime(getattr(result, "expiresAt", None))
        if not session_id:
            raise PermanentCampusError("Campus's Authenticate answer has no sessionID.")
        expires_at = expires.timestamp() if expires else time.time() + 1800
        self.cache.set(
            self.session_key,
            {"session_id": session_id, "expires_at": expires_at},
            timeout=max(expires_at - time.time() - RENEW_BEFORE_SECONDS, 1),
        )
        return session_id

    def _session_id(self, *, renew: bool = False) -> str:
        if not renew:
            cached = self.cache.get(self.session_key)
            if cached and cached["expires_at"] - RENEW_BEFORE_SECONDS > time.time():
                return cached["session_id"]
        # One worker authenticates; the others wait a moment for its session.
        if self.cache.add(self.lock_key, 1, timeout=30):
            try:
                return self._authenticate()
            finally:
                self.cache.delete(self.lock_key)
        for _ in range(50):
            self.sleep(0.2)
            cached = self.cache.get(self.session_key)
            if cached and cached["expires_at"] - RENEW_BEFORE_SECONDS > time.time():
                return cached["session_id"]
        return self._authenticate()

    # --- the Connector interface --------------------------------------------------------

    def test_connection(self) -> str:
        self.cache.delete(self.session_key)
        self._session_id(renew=True)
        return "Authenticated to the Identity Service."

    def get_person(self, key: str) -> CampusPerson | None:
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            return None
        session_id = self._session_id()
        for attempt in range(2):
            try:
                result = self._call("GetPerson", personID=person_id, sessionID=session_id)
            except _FaultWithCode as fault:
                if fault.code == "PersonNotFound":
                    return None
                if fault.code in SESSION_FAULTS and attempt == 0:
                    self.cache.delete(self.session_key)
                    session_id = self._session_id(renew=True)
                    continue
                raise PermanentCampusError(
                    f"GetPerson failed: {fault.code}: {fault.message}"
                ) from None
            return self.person_from(getattr(result, "person", result))
        raise PermanentCampusError("GetPerson: the new session was refused too.")

    def person_from(self, p) -> CampusPerson:
        wrapper = getattr(p, "assignments", None)
        items = getattr(wrapper, "assignment", wrapper) or []
        if not isinstance(items, list):
            items = [items]
        assignments = tuple(
            Assignment(
                school_number=_text(getattr(a, "schoolNumber", None)),
                assignment_code=_text(getattr(a, "assignmentCode", None)),
                title_code=_text(getattr(a, "titleCode", None)),
                start_date=_date(getattr(a, "startDate", None)),
                end_date=_date(getattr(a, "endDate", None)),
            )
            for a in items
        )
        today = datetime.now(UTC).date()
        person_id = int(p.personID)
        return CampusPerson(
            person_id=person_id,
            sourced_id=str(person_id),
            staff_number=_text(getattr(p, "staffNumber", None)),
            first_name=_text(getattr(p, "firstName", None)),
            last_name=_text(getattr(p, "lastName", None)),
            middle_name=_text(getattr(p, "middleName", None)),
            birth_date=_date(getattr(p, "birthDate", None)),
            work_email=_text(getattr(p, "workEmail", None)),
            personal_email=_text(getattr(p, "personalEmail", None)),
            is_staff=bool(getattr(p, "isStaff", False)),
            # Staff whose every position has ended are leavers: their access is revoked.
            is_active=any(a.end_date is None or a.end_date >= today for a in assignments),
            date_modified=_datetime(getattr(p, "dateModified", None)),
            assignments=assignments,
        )

    def iter_new_staff(self, cursor: PollCursor, progress: Progress) -> Iterator[CampusPerson]:
        # 1. Persons seen before who were not staff yet: some may have a position now.
        batch = cursor.recheck_ids[: self.config.recheck_batch]
        keep: list[int] = []
        for person_id in batch:
            person = self.get_person(str(person_id))
            progress.done += 1
            if person is None:
                continue
            if person.is_staff:
                yield person
            else:
                keep.append(person_id)
        # Rotate: the ones not checked this time go first next time.
        cursor.recheck_ids = cursor.recheck_ids[len(batch) :] + keep
        # 2. New person IDs above the high-water mark, until a run of misses.
        person_id, misses = cursor.high_person_id, 0
        while misses < self.config.miss_run_limit:
            person_id += 1
            person = self.get_person(str(person_id))
            progress.done += 1
            if person is None:
                misses += 1
                continue
            misses = 0
            cursor.high_person_id = person_id
            if person.is_staff:
                yield person
            else:
                cursor.recheck_ids.append(person_id)


class _FaultWithCode(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _retry_after(fault: Fault) -> float | None:
    if fault.detail is not None:
        for element in fault.detail.iter():
            if (
                isinstance(element.tag, str)
                and element.tag.rsplit("}", 1)[-1] == "retryAfterSeconds"
            ):
                try:
                    return min(float(element.text), 120.0)
                except (TypeError, ValueError):
                    return None
    return None
