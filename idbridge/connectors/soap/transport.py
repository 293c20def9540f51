"""Calls to Campus's Identity Service: the settings, the zeep clients (the WSDL is loaded
once and shared by threads), one call with transient failures retried with backoff, and
SOAP faults sorted by their ``CampusFault/code``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from zeep import Client, Settings
from zeep.cache import InMemoryCache
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from idbridge.connectors.http import backoff
from idbridge.connectors.types import PermanentCampusError, TransientCampusError

SESSION_FAULTS = {"SessionExpired", "InvalidSession"}
CREDENTIAL_FAULTS = {"InvalidCredentials", "MissingSecurityHeader", "InvalidSecurityToken"}


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


class FaultWithCode(Exception):
    """A SOAP fault the caller must decide about (not retried here)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SessionRefused(Exception):
    def __init__(self, session_id: str):
        super().__init__("Campus refused the session.")
        self.session_id = session_id


def _detail(fault: Fault, name: str) -> str | None:
    """The text of the element ``name`` in the fault's detail, if there is one."""
    if fault.detail is not None:
        for element in fault.detail.iter():
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == name:
                return element.text
    return None


def fault_code(fault: Fault) -> str:
    """The machine-readable code in the fault's detail (``CampusFault/code``)."""
    code = _detail(fault, "code")
    if code is not None:
        return code.strip()
    return (fault.code or "").rsplit(":", 1)[-1]


def retry_after(fault: Fault) -> float | None:
    """A rate-limit fault's ``retryAfterSeconds``, capped at two minutes."""
    try:
        return min(float(_detail(fault, "retryAfterSeconds")), 120.0)
    except (TypeError, ValueError):
        return None


def pooled_session(max_concurrency: int) -> requests.Session:
    """A session whose connection pool keeps one connection per call in flight (requests'
    default of 10 would open and drop connections above that)."""
    session = requests.Session()
    size = max(10, max_concurrency + 1)
    for prefix in ("http://", "https://"):
        session.mount(prefix, HTTPAdapter(pool_connections=size, pool_maxsize=size))
    return session


class IdentityService:
    """The Identity Service's operations, called through zeep (thread-safe)."""

    def __init__(self, config: SoapSettings, http: requests.Session, *, sleep=time.sleep):
        self.config = config
        self.http = http
        self.sleep = sleep
        self._client: Client | None = None
        self._client_lock = threading.Lock()
        self._counter_lock = threading.Lock()
        self.requests_made = 0

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

    def client_with_token(self) -> Client:
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

    def call(self, operation: str, *, client: Client | None = None, **kwargs):
        """One SOAP call; transient failures retried with backoff, faults classified.

        Raises FaultWithCode for a fault the caller decides about, CampusError otherwise.
        """
        last = None
        for attempt in range(self.config.attempts):
            self._count_request()
            try:
                service = (client or self.client).service
                return getattr(service, operation)(**kwargs)
            except Fault as fault:
                last = self._transient_fault(fault, attempt)
                continue
            except (requests.Timeout, requests.ConnectionError, ZeepError, ValueError) as exc:
                last = _transient_failure(operation, exc)
            if attempt + 1 < self.config.attempts:
                self.sleep(backoff(attempt))
        raise last

    def _transient_fault(self, fault: Fault, attempt: int) -> TransientCampusError:
        """A fault worth retrying, after its wait; raises FaultWithCode for any other."""
        code = fault_code(fault)
        if code == "RateLimited":
            wait = retry_after(fault)
            if attempt + 1 < self.config.attempts:
                self.sleep(wait if wait is not None else backoff(attempt))
            return TransientCampusError(
                "Campus is rate limiting the Identity Service.", retry_after=wait
            )
        if code == "InternalError":
            self.sleep(backoff(attempt))
            return TransientCampusError("Campus's Identity Service failed (InternalError).")
        raise FaultWithCode(code, fault.message) from None


def _transient_failure(operation: str, exc: Exception) -> TransientCampusError:
    """A failed call worth retrying; raises PermanentCampusError for any other."""
    if isinstance(exc, requests.Timeout):
        return TransientCampusError(f"{operation}: Campus did not answer in time.")
    if isinstance(exc, requests.ConnectionError):
        return TransientCampusError(f"{operation}: cannot reach Campus ({type(exc).__name__}).")
    if isinstance(exc, TransportError) and exc.status_code in (429, 500, 502, 503, 504):
        return TransientCampusError(f"{operation}: Campus answered HTTP {exc.status_code}.")
    if isinstance(exc, TransportError):
        raise PermanentCampusError(
            f"{operation}: Campus answered HTTP {exc.status_code}."
        ) from None
    raise PermanentCampusError(f"{operation}: unreadable answer from Campus ({exc}).") from None
