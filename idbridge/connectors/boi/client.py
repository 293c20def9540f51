"""``BoiClient``: one method per BOI API call, over one ``call`` with the error handling."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

import requests

from idbridge.connectors.boi.answers import code_item, commit_result_of, items_of, job_status_of
from idbridge.connectors.boi.errors import BoiCredentialsRejected, BoiRefused, refusal_details
from idbridge.connectors.boi.report import REPORT_ENTRY_KEYS, JsonMember, iter_json_members
from idbridge.connectors.boi.types import (
    LIST_KINDS,
    BoiSettings,
    CallFailure,
    CodeItem,
    CommitResult,
    JobStatus,
)
from idbridge.connectors.http import call_with_retries, environment_settle
from idbridge.connectors.tokens import ClientCredentials, SharedCache, TokenSource
from idbridge.connectors.types import PermanentCampusError, TransientCampusError
from idbridge.streams import JsonStreamError, decoded


class _Request(NamedTuple):
    method: str
    path: str
    params: dict | None
    body: Any
    what: str
    timeout: float
    stream: bool
    idempotent: bool


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
        environment_settle(self.http, config.base_url, config.token_url)
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

    def _request_failed(self, request: _Request, status, message: str, *, permanent) -> None:
        self._failed(
            request.method, request.path, status, message, request.body, permanent=permanent
        )

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
        if idempotent is None:
            idempotent = method != "POST"
        timeout = timeout or self.config.timeout
        request = _Request(method, path, params, body, what, timeout, stream, idempotent)
        response = self._send(request)
        if response.status_code == 401:  # the cached token may have expired: one fresh one
            self.tokens.forget()
            response = self._send(request)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise self._refused(request, response)
        if stream:
            return response
        return self._json(request, response)

    def _send(self, request: _Request) -> requests.Response:
        """The request with a bearer token, retried as ``call_with_retries`` allows."""
        token = self._token(request.method, request.path, request.body)

        def send():
            self.requests_made += 1
            return self.http.request(
                request.method,
                self.url(request.path),
                params=request.params,
                json=request.body,
                timeout=request.timeout,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                stream=request.stream,
            )

        try:
            return call_with_retries(
                send,
                what=request.what,
                attempts=self.config.attempts,
                sleep=self.sleep,
                idempotent=request.idempotent,
            )
        except TransientCampusError as exc:
            self._request_failed(request, None, str(exc), permanent=False)
            raise

    def _refused(self, request: _Request, response: requests.Response) -> PermanentCampusError:
        """The error for a 4xx answer (recorded in the error log)."""
        status = response.status_code
        detail, errors = refusal_details(response)
        message = f"{request.what}: Campus refused the request (HTTP {status})"
        message = f"{message}: {detail}" if detail else message
        self._request_failed(request, status, message, permanent=True)
        if status == 401:
            return BoiCredentialsRejected(
                f"{request.what}: Campus refused a fresh token (HTTP 401)."
            )
        return BoiRefused(message, status=status, errors=errors)

    def _json(self, request: _Request, response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            message = f"{request.what}: Campus sent a response that is not JSON."
            status = response.status_code
            self._request_failed(request, status, message, permanent=False)
            raise TransientCampusError(message) from None

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
        items = (code_item(item, kind) for item in items_of(body, kind))
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
        return [s for s in items_of(body, "staff") if isinstance(s, dict)]

    def search_staff(self, *, last_name: str, first_name: str, birth_date: str = "") -> list[dict]:
        params = {"lastName": last_name, "firstName": first_name}
        if birth_date:
            params["birthDate"] = birth_date
        body = self.call("GET", "staff", params=params, what="BOI staff search", missing_ok=True)
        return [s for s in items_of(body, "staff") if isinstance(s, dict)]

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
        return [a for a in items_of(body, "addresses") if isinstance(a, dict)]

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

    def sync_transferred(self, sync_id: str) -> int | None:
        """How many staff Campus holds for the sync so far (its session's "transferred"),
        None when its answer does not say: what a transfer whose answer was lost is checked
        against before it is sent again."""
        path = f"sync/{quote(sync_id, safe='')}"
        body = self.call("GET", path, what="BOI sync status")
        count = body.get("transferred") if isinstance(body, dict) else None
        return count if isinstance(count, int) and not isinstance(count, bool) else None

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
        timeout = self.config.commit_timeout
        body = self.call("POST", path, what="BOI sync commit", timeout=timeout) or {}
        return commit_result_of(body)

    def sync_submit_commit_job(self, sync_id: str) -> str:
        path = f"sync/{quote(sync_id, safe='')}/submitCommitJob"
        body = self.call("POST", path, what="BOI submit commit job") or {}
        job_id = body.get("jobID") or body.get("jobId") or body.get("id")
        if not job_id:
            raise PermanentCampusError("BOI submit commit job: Campus's answer has no jobID.")
        return str(job_id)

    def sync_job_latest(self) -> JobStatus | None:
        body = self.call("GET", "sync/jobs/latest", what="BOI job status", missing_ok=True)
        return job_status_of(body) if isinstance(body, dict) else None
