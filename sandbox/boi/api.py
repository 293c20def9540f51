"""The BOI API over HTTP: ``/sandbox/campus/api/boi/v1/…`` (JSON, OAuth2 bearer tokens).

Every call: counted and subject to the fault switchboard (``boi.<endpoint>``), a bearer
token from the sandbox's token endpoint with the ``boi.readwrite`` scope, JSON in and
out. A refusal is a 4xx with ``{"errors": [{"field", "code", "message"}]}`` naming every
problem; every failed call (4xx and 5xx) is written to the Business Office Error Log,
its payload's SSNs masked.
"""

from __future__ import annotations

import json
import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults
from sandbox.auth import BearerRefused, bearer_client
from sandbox.boi import openapi, search, staff, sync
from sandbox.boi.addresses import address_search, address_to_api
from sandbox.boi.errorlog import error_log_record, error_message
from sandbox.boi.errors import BoiError, error
from sandbox.models import BOI_SCOPE, AssignmentCode, CommitJob, Gender, School, TitleCode

log = logging.getLogger(__name__)


_REFUSALS = {
    BearerRefused.MISSING: (
        "unauthorized",
        "a bearer token is required: POST the token URL with the client credentials first",
    ),
    BearerRefused.INVALID: (
        "invalid_token",
        "the access token is invalid or has expired: get a new one from the token URL",
    ),
    BearerRefused.NOT_ISSUED: (
        "invalid_token",
        "the access token is invalid or has expired: get a new one from the token URL",
    ),
    BearerRefused.INSUFFICIENT_SCOPE: (
        "insufficient_scope",
        f"the access token lacks the {BOI_SCOPE} scope: this client may not use the "
        "Business Office API",
    ),
}


def _client_for(request):
    """The API client of a valid bearer token with the BOI scope; else a BoiError."""
    try:
        return bearer_client(request, scope=BOI_SCOPE)
    except BearerRefused as refused:
        code, message = _REFUSALS[refused.reason]
        raise error(
            refused.status,
            "Authorization",
            code,
            message,
            **{"WWW-Authenticate": refused.www_authenticate},
        ) from None


def _body(request) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise error(
            413,
            "",
            "too_large",
            f"the request body is larger than {limit} bytes: send fewer staff per call",
        ) from None


def _json(request):
    if not _body(request).strip():
        return {}
    try:
        return json.loads(_body(request))
    except (ValueError, UnicodeDecodeError):
        raise error(400, "", "invalid", "the request body is not valid JSON") from None


def _error_response(exc: BoiError) -> JsonResponse:
    response = JsonResponse(exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _injected(injected: faults.Injected) -> HttpResponse:
    if injected.kind == "rate_limit":
        body = {"errors": [{"field": "", "code": "rate_limited", "message": "Too many requests"}]}
        response = JsonResponse(body, status=429)
        response["Retry-After"] = str(injected.retry_after or 1)
        return response
    message = {"field": "", "code": "unavailable", "message": "injected fault"}
    return JsonResponse({"errors": [message]}, status=injected.status)


def _log_failure(request, response, client, staff_number=""):
    try:
        body = json.loads(response.content) if not response.streaming else {}
        message = error_message(body.get("errors", [])) if isinstance(body, dict) else ""
    except ValueError:
        message = response.content[:500].decode("utf-8", errors="replace")
    if request.method in ("GET", "HEAD"):
        payload = request.GET.urlencode()
    else:
        try:
            payload = request.body
        except RequestDataTooBig:
            payload = "(the body was larger than the limit and was not read)"
    error_log_record(
        method=request.method,
        path=request.path,
        status=response.status_code,
        message=message or f"HTTP {response.status_code}",
        payload=payload,
        client_name=client.name if client else "",
        staff_number=staff_number,
    )


def _method_not_allowed(request, methods: tuple[str, ...]) -> BoiError:
    allowed = ", ".join(methods)
    return error(
        405,
        "",
        "method_not_allowed",
        f"{request.method} is not allowed here (use {allowed})",
        Allow=allowed,
    )


def _internal_error() -> JsonResponse:
    message = "Campus could not complete the call (internal error)"
    return JsonResponse(
        {"errors": [{"field": "", "code": "internal", "message": message}]}, status=500
    )


def _call(request, view, name: str, methods: tuple[str, ...], kwargs: dict):
    """(the answer, the API client once its token is accepted): faults first, then the
    method, the bearer token and the view; a refusal or a crash becomes a JSON error."""
    client = None
    try:
        injected = faults.intercept(f"boi.{name}")
        if injected:
            return _injected(injected), None
        if request.method not in methods:
            raise _method_not_allowed(request, methods)
        client = _client_for(request)
        return view(request, client, **kwargs), client
    except BoiError as exc:
        return _error_response(exc), client
    except Exception:
        log.exception("BOI API call failed", extra={"path": request.path})
        return _internal_error(), client


def boi_endpoint(name: str, methods: tuple[str, ...]):
    """Faults and counters, the bearer token, JSON errors and the error log, for a view
    ``view(request, client, **kwargs)``."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, **kwargs):
            response, client = _call(request, view, name, methods, kwargs)
            if response.status_code >= 400:
                try:
                    _log_failure(request, response, client, kwargs.get("staff_number", ""))
                except Exception:  # noqa: BLE001 - the answer must still go out
                    log.exception("could not write the Business Office Error Log")
            response["Cache-Control"] = "no-store"
            return response

        return wrapper

    return decorator


def _actor(client) -> str:
    return f"boi-api:{client.app_name}"


# --- mapping lists ------------------------------------------------------------------------


@boi_endpoint("schools", ("GET",))
def schools(request, client):
    rows = School.objects.order_by("number").values_list("number", "name")
    return JsonResponse({"schools": [{"schoolNumber": n, "name": name} for n, name in rows]})


@boi_endpoint("genders", ("GET",))
def genders(request, client):
    rows = Gender.objects.order_by("code").values_list("code", "name")
    return JsonResponse({"genders": [{"code": c, "name": name} for c, name in rows]})


@boi_endpoint("assignmentCodes", ("GET",))
def assignment_codes(request, client):
    rows = AssignmentCode.objects.order_by("code").values_list("code", "name")
    return JsonResponse({"assignmentCodes": [{"code": c, "name": name} for c, name in rows]})


@boi_endpoint("titleCodes", ("GET",))
def title_codes(request, client):
    rows = TitleCode.objects.order_by("code").values_list("code", "description")
    return JsonResponse({"titleCodes": [{"code": c, "description": d} for c, d in rows]})


# --- staff and addresses ------------------------------------------------------------------


@boi_endpoint("staff", ("GET", "POST"))
def staff_collection(request, client):
    if request.method == "GET":
        return JsonResponse({"staff": search.staff_search(request.GET)})
    body = staff.staff_create(payload=_json(request), actor=_actor(client))
    return JsonResponse(body, status=201)


@boi_endpoint("staff.update", ("PUT",))
def staff_member(request, client, staff_number):
    return JsonResponse(
        staff.staff_update(staff_number=staff_number, payload=_json(request), actor=_actor(client))
    )


@boi_endpoint("staff.positions", ("POST", "PUT"))
def staff_positions(request, client, staff_number):
    update = request.method == "PUT"
    body = staff.positions_change(
        staff_number=staff_number, body=_json(request), actor=_actor(client), update=update
    )
    return JsonResponse(body, status=200 if update else 201)


@boi_endpoint("addresses", ("GET",))
def addresses(request, client):
    found, errors = address_search({k: v for k, v in request.GET.items()})
    if errors:
        raise BoiError(400, errors)
    return JsonResponse({"addresses": [address_to_api(a) for a in found]})


# --- synchronization ----------------------------------------------------------------------


@boi_endpoint("sync.start", ("POST",))
def sync_start(request, client):
    session = sync.sync_start(
        started_by=f"API client {client.name}", client=client, actor=_actor(client)
    )
    return JsonResponse({"syncID": session.pk, "status": session.status}, status=201)


@boi_endpoint("sync.status", ("GET",))
def sync_status(request, client, sync_id):
    return JsonResponse(sync.session_to_api(sync.session_get(sync_id)))


@boi_endpoint("sync.transfer", ("POST",))
def sync_transfer(request, client, sync_id):
    session = sync.session_get(sync_id)
    return JsonResponse(sync.sync_transfer(session=session, body=_json(request)))


@boi_endpoint("sync.endTransfer", ("POST",))
def sync_end_transfer(request, client, sync_id):
    session = sync.sync_end_transfer(session=sync.session_get(sync_id), actor=_actor(client))
    return JsonResponse(
        {"syncID": session.pk, "status": session.status, "transferred": session.staff_count}
    )


@boi_endpoint("sync.validate", ("POST",))
def sync_validate(request, client, sync_id):
    session = sync.session_get(sync_id)
    sync.sync_validate(session=session, actor=_actor(client))
    session.refresh_from_db()
    response = StreamingHttpResponse(
        sync.validate_report_chunks(session), content_type="application/json"
    )
    return response


@boi_endpoint("sync.commit", ("POST",))
def sync_commit(request, client, sync_id):
    return JsonResponse(sync.sync_commit(session=sync.session_get(sync_id), actor=_actor(client)))


@boi_endpoint("sync.submitCommitJob", ("POST",))
def sync_submit_commit_job(request, client, sync_id):
    job = sync.commit_job_submit(session=sync.session_get(sync_id), actor=_actor(client))
    return JsonResponse(sync.job_to_api(job), status=202)


@boi_endpoint("sync.jobs.latest", ("GET",))
def sync_job_latest(request, client):
    job = sync.commit_job_latest()
    if job is None:
        raise error(404, "jobID", "not_found", "no commit job was ever submitted")
    return JsonResponse(sync.job_to_api(job))


@boi_endpoint("sync.jobs.get", ("GET",))
def sync_job(request, client, job_id):
    job = CommitJob.objects.filter(pk=job_id).first()
    if job is None:
        raise error(404, "jobID", "not_found", f"there is no commit job {job_id}")
    return JsonResponse(sync.job_to_api(job))


@boi_endpoint("notFound", ("GET", "POST", "PUT", "DELETE", "PATCH"))
def not_found(request, client, rest=""):
    raise error(404, "", "not_found", f"{request.path} is not a Business Office API endpoint")


def openapi_description(request):
    return JsonResponse(openapi.description(request.build_absolute_uri("/").rstrip("/")))
