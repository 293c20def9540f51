"""Business Office Integration (BOI) API client: staff, positions, addresses, synchronization.

No Django here. Every call carries an OAuth2 bearer token from the district's token URL
(client credentials; fetched, cached in the shared cache and renewed by ``TokenSource``).
A 401 gets one fresh token; a token request that is refused means the client secret was
rotated in Campus (``BoiCredentialsRejected``). Timeouts, 5xx and 429 are retried with
backoff by ``call_with_retries`` and then raised as ``TransientCampusError``; any other
4xx is a ``BoiRefused`` carrying Campus's ``{"errors": [{"field", "code", "message"}]}``.

Every failed call is also handed to ``on_error(CallFailure)`` — the console's error log —
with the request body as sent (the caller masks SSNs before storing it).

    client = BoiClient(BoiSettings(token_url, base_url, client_id, secret), cache, "boi:1")
    sync_id = client.sync_start()
    client.sync_transfer(sync_id, [staff, ...])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote

import requests

from idbridge.connectors.http import call_with_retries
from idbridge.connectors.tokens import ClientCredentials, SharedCache, TokenSource
from idbridge.connectors.types import PermanentCampusError, TransientCampusError
from idbridge.streams import JsonReader, JsonStreamError, decoded

LIST_KINDS = ("schools", "genders", "assignmentCodes", "titleCodes")


@dataclass
class BoiSettings:
    token_url: str
    base_url: str  # .../api/boi/v1/
    client_id: str
    client_secret: str
    scope: str = ""
    timeout: float = 30.0
    commit_timeout: float = 900.0  # the synchronous commit returns only when it is done
    attempts: int = 4


@dataclass(frozen=True)
class CallFailure:
    """One failed BOI call, for the error log."""

    method: str
    path: str
    status: int | None
    message: str
    payload: Any
    permanent: bool


class BoiRefused(PermanentCampusError):
    """Campus refused the request (4xx); ``errors`` are its ``{"field","code","message"}``."""

    def __init__(self, message: str, *, status: int, errors: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or []


class BoiCredentialsRejected(PermanentCampusError):
    """The token endpoint refused the Client ID / Secret (e.g. the secret was rotated)."""


@dataclass(frozen=True)
class CodeItem:
    code: str
    name: str = ""


@dataclass(frozen=True)
class CommitResult:
    succeeded: list[str]
    failed: list[dict]  # {"staffNumber", "errors": [...]}
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    status: str
    done: int | None
    total: int | None
    counts: dict
    raw: dict

    @property
    def is_finished(self) -> bool:
        return self.status.lower() in ("completed", "complete", "done", "succeeded", "finished")

    @property
    def is_failed(self) -> bool:
        return self.status.lower() in ("failed", "error", "errored", "aborted", "cancelled")


def _errors_of(response: requests.Response) -> tuple[str, list[dict]]:
    try:
        body = response.json()
    except ValueError:
        return "", []
    if not isinstance(body, dict):
        return "", []
    errors = body.get("errors")
    if isinstance(errors, list):
        clean = [e for e in errors if isinstance(e, dict)]
        text = "; ".join(
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in clean[:5]
        )
        return text, clean
    detail = body.get("error_description") or body.get("message") or body.get("error") or ""
    return str(detail), []


def _items(body: Any, *keys: str) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in (*keys, "items", "data", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def _code_item(item: Any, kind: str) -> CodeItem | None:
    if not isinstance(item, Mapping):
        return CodeItem(str(item)) if item not in (None, "") else None
    code_keys = {
        "schools": ("schoolNumber", "number", "code"),
        "genders": ("code", "gender", "value"),
        "assignmentCodes": ("assignmentCode", "code"),
        "titleCodes": ("titleCode", "code"),
    }[kind]
    code = next((item[k] for k in code_keys if item.get(k) not in (None, "")), None)
    if code is None:
        return None
    name = next(
        (item[k] for k in ("name", "description", "titleDescription", "label") if item.get(k)), ""
    )
    return CodeItem(str(code), str(name))


# --- reading a large JSON object as it arrives -------------------------------------------

REPORT_ENTRY_KEYS = ("entries", "staff", "report", "items")  # the validate report's list


class JsonMember(NamedTuple):
    key: str
    value: Any
    is_element: bool  # one element of a streamed array, not the member's whole value


def iter_json_members(
    texts: Iterable[str], *, stream: Collection[str] | Callable[[str], bool] = ()
) -> Iterator[JsonMember]:
    """The members of one JSON object, read from text chunks in bounded memory.

    Yields ``(key, value, False)`` per member, except that a non-empty array under a key
    ``stream`` names (a collection of keys, or a predicate) comes element by element, as
    ``(key, element, True)``.

    >>> [tuple(m) for m in iter_json_members(['{"a": 1, "e": [{"n"', ': 2}, 3]}'], stream=["e"])]
    [('a', 1, False), ('e', {'n': 2}, True), ('e', 3, True)]
    """
    streamed = stream if callable(stream) else stream.__contains__
    reader = JsonReader(texts)
    reader.expect("{")
    first = True
    while reader.peek() != "}":
        if not first:
            reader.expect(",")
        first = False
        key = _member_key(reader)
        if reader.peek() == "[" and streamed(key):
            yield from _array_elements(reader, key)
        else:
            yield JsonMember(key, reader.value(), False)


def _member_key(reader: JsonReader) -> str:
    key = reader.value()
    if not isinstance(key, str):
        raise JsonStreamError("an object key must be a string")
    reader.expect(":")
    return key


def _array_elements(reader: JsonReader, key: str) -> Iterator[JsonMember]:
    """The array at the reader's ``[``, element by element (an empty one whole)."""
    reader.advance()
    if reader.peek() == "]":
        reader.advance()
        yield JsonMember(key, [], False)
        return
    while True:
        yield JsonMember(key, reader.value(), True)
        char = reader.peek()
        reader.advance()
        if char == "]":
            return
        if char != ",":
            raise JsonStreamError(f"expected ',' or ']' in {key!r}")


class BoiClient:
    def __init__(
        self,
        config: BoiSettings,
        cache: SharedCache,
        cache_key: str,
        *,
        session: requests.Session | None = None,
        on_error: Callable[[CallFailure], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.config = config
        self.http = session or requests.Session()
        self.tokens = TokenSource(
            ClientCredentials(
                config.token_url, config.client_id, config.client_secret, config.scope
            ),
            cache,
            f"{cache_key}:token",
            session=self.http,
            timeout=config.timeout,
        )
        self.on_error = on_error
        self.sleep = sleep
        self.requests_made = 0

    # --- plumbing -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.config.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _failed(self, method, path, status, message, payload, *, permanent) -> None:
        if self.on_error is not None:
            self.on_error(CallFailure(method, path, status, message, payload, permanent))

    def _token(self, method: str, path: str, payload: Any) -> str:
        try:
            return self.tokens.token()
        except TransientCampusError as exc:
            self._failed(method, path, None, str(exc), payload, permanent=False)
            raise
        except PermanentCampusError as exc:
            self._failed(method, path, None, str(exc), payload, permanent=True)
            raise BoiCredentialsRejected(
                "Campus rejected the BOI credentials: the Client Secret may have been "
                "regenerated in Campus. Enter the new secret on the connection page."
            ) from exc

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: Any = None,
        what: str,
        timeout: float | None = None,
        missing_ok: bool = False,
        stream: bool = False,
        idempotent: bool | None = None,
    ) -> Any:
        """One BOI call; returns the decoded JSON body (None for an empty body or a 404
        when ``missing_ok``). ``stream=True``: the successful response itself, its body not
        read yet (the caller reads and closes it). A POST changes Campus: it is sent again only
        when Campus surely did not get it (``idempotent`` says otherwise for a read)."""
        url = self.url(path)
        if idempotent is None:
            idempotent = method != "POST"
        for attempt in range(2):
            token = self._token(method, path, body)

            def send(token=token):
                self.requests_made += 1
                return self.http.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    timeout=timeout or self.config.timeout,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    stream=stream,
                )

            try:
                response = call_with_retries(
                    send,
                    what=what,
                    attempts=self.config.attempts,
                    sleep=self.sleep,
                    idempotent=idempotent,
                )
            except TransientCampusError as exc:
                self._failed(method, path, None, str(exc), body, permanent=False)
                raise
            if response.status_code == 401 and attempt == 0:
                self.tokens.forget()
                continue
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code >= 400:
                detail, errors = _errors_of(response)
                message = f"{what}: Campus refused the request (HTTP {response.status_code})"
                message = f"{message}: {detail}" if detail else message
                self._failed(method, path, response.status_code, message, body, permanent=True)
                if response.status_code == 401:
                    raise BoiCredentialsRejected(
                        f"{what}: Campus refused a fresh token (HTTP 401)."
                    )
                raise BoiRefused(message, status=response.status_code, errors=errors)
            if stream:
                return response
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                message = f"{what}: Campus sent a response that is not JSON."
                self._failed(method, path, response.status_code, message, body, permanent=False)
                raise TransientCampusError(message) from None
        raise AssertionError("unreachable")

    # --- connection and lists ----------------------------------------------------------------

    def test_connection(self) -> str:
        self.tokens.forget()
        self._token("POST", "oauth2/token", None)
        genders = self.genders()
        return f"Signed in with the client credentials; Campus lists {len(genders)} genders."

    def codes(self, kind: str) -> list[CodeItem]:
        if kind not in LIST_KINDS:
            raise ValueError(kind)
        body = self.call("GET", kind, what=f"BOI {kind}")
        items = (_code_item(item, kind) for item in _items(body, kind))
        return [item for item in items if item is not None]

    def genders(self) -> list[CodeItem]:
        return self.codes("genders")

    # --- searches ------------------------------------------------------------------------

    def find_staff(self, staff_number: str) -> list[dict]:
        body = self.call(
            "GET",
            "staff",
            params={"staffNumber": staff_number},
            what="BOI staff search",
            missing_ok=True,
        )
        return [s for s in _items(body, "staff") if isinstance(s, dict)]

    def search_staff(self, *, last_name: str, first_name: str, birth_date: str = "") -> list[dict]:
        params = {"lastName": last_name, "firstName": first_name}
        if birth_date:
            params["birthDate"] = birth_date
        body = self.call("GET", "staff", params=params, what="BOI staff search", missing_ok=True)
        return [s for s in _items(body, "staff") if isinstance(s, dict)]

    def find_addresses(self, address: Mapping[str, Any]) -> list[dict]:
        """Campus addresses matching ``address`` (components or fullStreetAddress + place)."""
        params = {
            k: ("true" if v is True else str(v))
            for k, v in address.items()
            if v not in (None, "", False)
        }
        body = self.call(
            "GET", "addresses", params=params, what="BOI address search", missing_ok=True
        )
        return [a for a in _items(body, "addresses") if isinstance(a, dict)]

    # --- day to day ----------------------------------------------------------------------

    def create_staff(self, staff: dict) -> dict:
        return self.call("POST", "staff", body=staff, what="BOI create staff") or {}

    def update_staff(self, staff_number: str, staff: dict) -> dict:
        path = f"staff/{quote(staff_number, safe='')}"
        return self.call("PUT", path, body=staff, what="BOI update staff") or {}

    def add_position(self, staff_number: str, position: dict) -> dict:
        path = f"staff/{quote(staff_number, safe='')}/positions"
        return self.call("POST", path, body=position, what="BOI add position") or {}

    def update_position(self, staff_number: str, position: dict) -> dict:
        path = f"staff/{quote(staff_number, safe='')}/positions"
        return self.call("PUT", path, body=position, what="BOI update position") or {}

    # --- synchronization -------------------------------------------------------------------

    def sync_start(self) -> str:
        body = self.call("POST", "sync/start", what="BOI sync start") or {}
        sync_id = body.get("syncID") or body.get("syncId") or body.get("id")
        if not sync_id:
            raise PermanentCampusError("BOI sync start: Campus's answer has no syncID.")
        return str(sync_id)

    def sync_transfer(self, sync_id: str, staff: list[dict]) -> dict:
        path = f"sync/{quote(sync_id, safe='')}/transfer"
        return self.call("POST", path, body=staff, what="BOI sync transfer") or {}

    def sync_end_transfer(self, sync_id: str) -> dict:
        path = f"sync/{quote(sync_id, safe='')}/endTransfer"
        return self.call("POST", path, what="BOI sync end transfer") or {}

    def sync_validate_members(
        self, sync_id: str, *, stream: Collection[str] | Callable[[str], bool] = REPORT_ENTRY_KEYS
    ) -> Iterator[JsonMember]:
        """Validate, read as it arrives: the members of Campus's report, the arrays
        ``stream`` names element by element (``iter_json_members``): by default the
        per-staff list, so that a 50,000-staff report is never held whole."""
        path = f"sync/{quote(sync_id, safe='')}/validate"
        what = "BOI sync validate"
        response = self.call(
            "POST",
            path,
            what=what,
            timeout=self.config.commit_timeout,
            stream=True,
            idempotent=True,  # a report only: validating again is allowed
        )
        try:
            yield from iter_json_members(
                decoded(response.iter_content(chunk_size=256 * 1024)), stream=stream
            )
        except (requests.RequestException, UnicodeDecodeError) as exc:
            message = f"{what}: the report broke off ({type(exc).__name__})"
            self._failed("POST", path, response.status_code, message, None, permanent=False)
            raise TransientCampusError(message) from None
        except JsonStreamError as exc:
            message = f"{what}: Campus sent a report that is not JSON ({exc})"
            self._failed("POST", path, response.status_code, message, None, permanent=False)
            raise TransientCampusError(message) from None
        finally:
            response.close()

    def sync_commit(self, sync_id: str) -> CommitResult:
        path = f"sync/{quote(sync_id, safe='')}/commit"
        body = (
            self.call("POST", path, what="BOI sync commit", timeout=self.config.commit_timeout)
            or {}
        )
        succeeded = [
            str(s.get("staffNumber")) if isinstance(s, dict) else str(s)
            for s in body.get("succeeded") or []
        ]
        failed = [f for f in body.get("failed") or [] if isinstance(f, dict)]
        return CommitResult(succeeded, failed, body)

    def sync_submit_commit_job(self, sync_id: str) -> str:
        path = f"sync/{quote(sync_id, safe='')}/submitCommitJob"
        body = self.call("POST", path, what="BOI submit commit job") or {}
        job_id = body.get("jobID") or body.get("jobId") or body.get("id")
        if not job_id:
            raise PermanentCampusError("BOI submit commit job: Campus's answer has no jobID.")
        return str(job_id)

    def sync_job_latest(self) -> JobStatus | None:
        body = self.call("GET", "sync/jobs/latest", what="BOI job status", missing_ok=True)
        if not isinstance(body, dict):
            return None
        progress = body.get("progress") if isinstance(body.get("progress"), dict) else {}
        counts = body.get("counts") if isinstance(body.get("counts"), dict) else {}

        def number(value):
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        return JobStatus(
            job_id=str(body.get("jobID") or body.get("jobId") or body.get("id") or ""),
            status=str(body.get("status") or ""),
            done=number(progress.get("done", body.get("done"))),
            total=number(progress.get("total", body.get("total"))),
            counts=counts,
            raw=body,
        )
