"""Legacy SOAP connector: Campus's Identity Service over zeep with a WS-Security
UsernameToken.

Authenticate returns a session valid for 30 minutes. The session is kept in the shared
cache (every worker uses the same one), renewed a little before it expires, and on a
session fault re-authenticated once and the call retried — so in steady state there is
one authentication per session lifetime, whatever the number of workers.

Only ``GetPerson(personID)`` exists, so discovery walks person IDs above the highest one
seen and stops after a run of misses. Persons who are not staff yet are rechecked on
later polls: they become staff when Campus gives them a position and its start date comes
(``types.is_staff_on``).

Discovery keeps up to ``max_concurrency`` GetPerson calls in flight (``GetPersonPipeline``)
but takes the answers strictly in person-ID order, so the walk means exactly what the
sequential one did: the high-water mark moves over found persons only, the miss run
counts consecutive misses in ID order, and no ID beyond the last person found plus the
miss-run limit is ever asked for (the concurrent walk sends the same requests as the
sequential one). Only the calling thread touches the shared cache and renews the
session; worker threads make GetPerson calls with the session they were handed, and a
session Campus refuses is renewed once, however many calls saw it refused.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

import requests
from requests.adapters import HTTPAdapter
from zeep import Client, Settings
from zeep.cache import InMemoryCache
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from idbridge.connectors.http import backoff
from idbridge.connectors.tokens import SharedCache
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

SESSION_FAULTS = {"SessionExpired", "InvalidSession"}
CREDENTIAL_FAULTS = {"InvalidCredentials", "MissingSecurityHeader", "InvalidSecurityToken"}
RENEW_BEFORE_SECONDS = 60
# GetPerson calls queued ahead per call in flight: workers stay busy while the caller
# records what came back.
LOOKAHEAD_PER_CALL = 8


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
    max_concurrency: int = 2  # GetPerson calls in flight at once during discovery
    time_zone: str = "UTC"  # the district's: a position's startDate and endDate are its dates


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


def pooled_session(max_concurrency: int) -> requests.Session:
    """A session whose connection pool keeps one connection per call in flight (requests'
    default of 10 would open and drop connections above that)."""
    session = requests.Session()
    size = max(10, max_concurrency + 1)
    for prefix in ("http://", "https://"):
        session.mount(prefix, HTTPAdapter(pool_connections=size, pool_maxsize=size))
    return session


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
        self.http = session or pooled_session(config.max_concurrency)
        self._client: Client | None = None
        self._client_lock = threading.Lock()
        # Held while the session is looked up in the shared cache or renewed, so threads
        # of this process never authenticate side by side.
        self._session_lock = threading.RLock()
        self._session: tuple[str, float] | None = None  # (sessionID, expires at), this poll
        self._counter_lock = threading.Lock()
        self.authentications = 0
        self.requests_made = 0

    # --- plumbing ---------------------------------------------------------------------

    @property
    def client(self) -> Client:
        """The zeep client for GetPerson: no WS-Security (the session travels in the body)
        and never changed after it is built, so threads share it."""
        if self._client is not None:
            return self._client
        with self._client_lock:
            if self._client is None:
                self._client = self._load_client()
        return self._client

    def _load_client(self) -> Client:
        transport = Transport(
            session=self.http,
            timeout=self.config.timeout,
            operation_timeout=self.config.timeout,
            cache=InMemoryCache(timeout=3600),
        )
        try:
            client = Client(
                self.config.wsdl_url,
                transport=transport,
                settings=Settings(
                    strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True
                ),
            )
            client.service  # bound now, not by the first threads to call  # noqa: B018
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientCampusError(f"Cannot load the WSDL: {type(exc).__name__}") from None
        except (ZeepError, requests.RequestException, ValueError) as exc:
            raise PermanentCampusError(
                f"The WSDL at {self.config.wsdl_url} cannot be used: {exc}"
            ) from None
        return client

    def _client_with_token(self) -> Client:
        """A client for Authenticate carrying the UsernameToken: its own object on the parsed
        WSDL, so the token never rides along on a GetPerson another thread is sending."""
        base = self.client
        token = UsernameToken(
            self.config.username, self.config.password, use_digest=self.config.use_digest
        )
        return Client(base.wsdl, wsse=token, transport=base.transport, settings=base.settings)

    def _count_request(self):
        with self._counter_lock:
            self.requests_made += 1

    def _call(self, operation: str, *, client: Client | None = None, **kwargs):
        """One SOAP call; transient failures retried with backoff, faults classified."""
        last = None
        for attempt in range(self.config.attempts):
            self._count_request()
            try:
                service = (client or self.client).service
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
            if attempt + 1 < self.config.attempts:
                self.sleep(backoff(attempt))
        raise last

    # --- sessions -----------------------------------------------------------------------

    def _authenticate(self) -> str:
        try:
            result = self._call("Authenticate", client=self._client_with_token())
        except _FaultWithCode as fault:
            if fault.code in CREDENTIAL_FAULTS:
                raise PermanentCampusError(
                    "Campus rejected the SOAP user name or password."
                ) from None
            raise PermanentCampusError(
                f"Authenticate failed: {fault.code}: {fault.message}"
            ) from None
        with self._counter_lock:
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
        self._session = (session_id, expires_at)
        return session_id

    def _cached_session(self) -> str | None:
        cached = self.cache.get(self.session_key)
        if cached and cached["expires_at"] - RENEW_BEFORE_SECONDS > time.time():
            self._session = (cached["session_id"], cached["expires_at"])
            return cached["session_id"]
        return None

    def _session_id(self) -> str:
        """The session to call with: this poll's own copy while it is fresh, else the shared
        one, else a new one (one process authenticates; the others wait for its session)."""
        mine = self._session
        if mine and mine[1] - RENEW_BEFORE_SECONDS > time.time():
            return mine[0]
        with self._session_lock:
            return self._cached_session() or self._new_session()

    def _session_after_refusal(self, refused: str) -> str:
        """A session to retry with after Campus refused ``refused``.

        Every call in flight with the expired session comes back refused; only the first to
        get here authenticates, the others find the new session already shared. The refused
        session is not deleted from the shared cache but overwritten, so a process refused
        a moment later cannot delete the session another process has just stored.
        """
        with self._session_lock:
            mine = self._session
            if mine and mine[0] != refused and mine[1] - RENEW_BEFORE_SECONDS > time.time():
                return mine[0]
            session_id = self._cached_session()
            if session_id and session_id != refused:
                return session_id
            self._session = None
            return self._new_session(refused=refused)

    def _new_session(self, *, refused: str | None = None) -> str:
        """Authenticate, unless another process is doing it: then wait for its session."""
        with self._session_lock:
            if self.cache.add(self.lock_key, 1, timeout=30):
                try:
                    return self._authenticate()
                finally:
                    self.cache.delete(self.lock_key)
            for _ in range(50):
                self.sleep(0.2)
                session_id = self._cached_session()
                if session_id and session_id != refused:
                    return session_id
            return self._authenticate()

    # --- the Connector interface --------------------------------------------------------

    def test_connection(self) -> str:
        with self._session_lock:
            self.cache.delete(self.session_key)
            self._session = None
            self._new_session()
        return "Authenticated to the Identity Service."

    def get_person(self, key: str) -> CampusPerson | None:
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            return None
        session_id = self._session_id()
        try:
            return self._get_person_with(person_id, session_id)
        except _SessionRefused:
            return self._get_person_with_fresh_session(person_id, session_id)

    def _get_person_with(self, person_id: int, session_id: str) -> CampusPerson | None:
        """One GetPerson with the given session (thread-safe: no shared state but counters).

        Raises _SessionRefused when Campus no longer takes the session.
        """
        try:
            result = self._call("GetPerson", personID=person_id, sessionID=session_id)
        except _FaultWithCode as fault:
            if fault.code == "PersonNotFound":
                return None
            if fault.code in SESSION_FAULTS:
                raise _SessionRefused(session_id) from None
            raise PermanentCampusError(f"GetPerson failed: {fault.code}: {fault.message}") from None
        return self.person_from(getattr(result, "person", result))

    def _get_person_with_fresh_session(self, person_id: int, refused: str):
        try:
            return self._get_person_with(person_id, self._session_after_refusal(refused))
        except _SessionRefused:
            raise PermanentCampusError("GetPerson: the new session was refused too.") from None

    def iter_persons(self, keys: Iterable[str]) -> Iterator[tuple[str, CampusPerson | None]]:
        """GetPerson for every key, ``max_concurrency`` at a time, answered in the order given
        (None for a key that is not a person ID or a person Campus does not have)."""
        with GetPersonPipeline(self) as calls:
            yield from calls.in_order(keys)

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
            # Staff now by the dates of their positions, as over OneRoster: Campus's isStaff
            # says only that a staff record exists, so it is true for a hire who starts
            # next month and for a leaver whose positions have all ended.
            is_staff=is_staff_on(
                ((a.start_date, a.end_date) for a in assignments),
                district_today(self.config.time_zone),
            ),
            date_modified=_datetime(getattr(p, "dateModified", None)),
            assignments=assignments,
        )

    def iter_new_staff(self, cursor: PollCursor, progress: Progress) -> Iterator[CampusPerson]:
        with GetPersonPipeline(self) as calls:
            # 1. Persons seen before who were not staff yet: some may have a position now.
            batch = cursor.recheck_ids[: self.config.recheck_batch]
            keep: list[int] = []
            for key, person in calls.in_order(str(person_id) for person_id in batch):
                progress.done += 1
                if person is None:
                    continue
                if person.is_staff:
                    yield person
                else:
                    keep.append(int(key))
            # Rotate: the ones not checked this time go first next time.
            cursor.recheck_ids = cursor.recheck_ids[len(batch) :] + keep
            # 2. New person IDs above the high-water mark, until a run of misses. An ID past
            # the last person found plus the limit is never asked for: should every ID up to
            # there be a miss, the walk ends there.
            limit = self.config.miss_run_limit
            last_found = next_id = cursor.high_person_id
            while True:
                while calls.has_room and next_id < last_found + limit:
                    next_id += 1
                    calls.submit(str(next_id))
                if not calls.pending:
                    return
                key, person = calls.next()
                progress.done += 1
                if person is None:
                    continue
                last_found = cursor.high_person_id = int(key)
                if person.is_staff:
                    yield person
                else:
                    cursor.recheck_ids.append(last_found)


class GetPersonPipeline:
    """GetPerson calls for keys in a given order, answered in that order.

    At most ``max_concurrency`` calls run at once (worker threads), up to
    ``LOOKAHEAD_PER_CALL`` times as many are queued; with ``max_concurrency`` 1 every call
    runs in the caller's thread, one at a time. The caller's thread hands each call its
    session and renews a refused one; a call that fails for good raises from ``next()``,
    and leaving the ``with`` block drops the calls not started yet.
    """

    def __init__(self, connector: SoapConnector):
        self.connector = connector
        concurrency = max(1, connector.config.max_concurrency)
        self.depth = concurrency * LOOKAHEAD_PER_CALL if concurrency > 1 else 1
        self.pool = (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="soap-getperson")
            if concurrency > 1
            else None
        )
        self.pending: deque[tuple[str, str, Future]] = deque()

    def __enter__(self) -> GetPersonPipeline:
        return self

    def __exit__(self, *exc_info):
        for _, _, future in self.pending:
            future.cancel()
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    @property
    def has_room(self) -> bool:
        return len(self.pending) < self.depth

    def submit(self, key: str):
        session_id = self.connector._session_id()
        self.pending.append((key, session_id, self._start(key, session_id)))

    def _start(self, key: str, session_id: str) -> Future:
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            person_id = None
        if self.pool is not None and person_id is not None:
            return self.pool.submit(self.connector._get_person_with, person_id, session_id)
        future = Future()
        try:
            result = (
                None
                if person_id is None
                else self.connector._get_person_with(person_id, session_id)
            )
        except Exception as exc:  # handed to the caller by next(), like a worker's error
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def next(self) -> tuple[str, CampusPerson | None]:
        """The answer for the oldest key submitted (waiting for it if need be)."""
        key, session_id, future = self.pending.popleft()
        try:
            return key, future.result()
        except _SessionRefused:
            fresh = self.connector._session_after_refusal(session_id)
        try:
            return key, self._start(key, fresh).result()
        except _SessionRefused:
            raise PermanentCampusError("GetPerson: the new session was refused too.") from None

    def in_order(self, keys: Iterable[str]) -> Iterator[tuple[str, CampusPerson | None]]:
        keys = iter(keys)
        more = True
        while True:
            while more and self.has_room:
                key = next(keys, _END)
                if key is _END:
                    more = False
                else:
                    self.submit(key)
            if not self.pending:
                return
            yield self.next()


_END = object()


class _SessionRefused(Exception):
    def __init__(self, session_id: str):
        super().__init__("Campus refused the session.")
        self.session_id = session_id


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
