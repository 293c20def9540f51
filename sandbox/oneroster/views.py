"""OneRoster 1.2 rostering REST endpoints of the sandbox (OAuth2 bearer tokens)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sandbox import faults
from sandbox.auth import BearerRefused, bearer_client
from sandbox.models import ROSTER_CORE_SCOPE, ROSTER_DEMOGRAPHICS_SCOPE
from sandbox.oneroster import openapi
from sandbox.oneroster.filters import FilterError, matcher, parse_filter
from sandbox.oneroster.orgs import (
    ORG_FIELDS,
    ORG_FILTER_FIELDS,
    ORG_GETTERS,
    ORG_SORT_FIELDS,
    convert_org_value,
    org_records,
    public,
)
from sandbox.oneroster.protocol import (
    OneRosterError,
    link_header,
    parse_fields,
    parse_paging,
    parse_sort,
    select_fields,
    status_info,
)
from sandbox.oneroster.serialize import Refs, demographics_to_dict, user_to_dict
from sandbox.oneroster.users import (
    DEMOGRAPHICS_FIELDS,
    DEMOGRAPHICS_FILTERS,
    DEMOGRAPHICS_SORTS,
    FILTER_FIELDS,
    SORT_FIELDS,
    USER_FIELDS,
    load_user,
    load_users,
    page_queryset,
    users_queryset,
)
from sandbox.selectors import district_get


def _error_response(exc: OneRosterError) -> JsonResponse:
    response = JsonResponse(exc.status_info(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def injected_response(injected: faults.Injected) -> HttpResponse:
    if injected.kind == "rate_limit":
        response = JsonResponse(
            status_info("server_busy", "Too many requests: retry after the given delay."),
            status=429,
        )
        response["Retry-After"] = str(injected.retry_after or 1)
        return response
    if injected.status == 500:
        return JsonResponse(
            status_info("internal_server_error", "Internal server error (injected fault)."),
            status=500,
        )
    # 502/503/504 look like what a proxy in front of Campus sends: plain text.
    reasons = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    return HttpResponse(
        reasons.get(injected.status, "Error"), status=injected.status, content_type="text/plain"
    )


def _authorize(request, app: str, scope: str) -> None:
    """The shared bearer token check, a refusal worded as OneRoster words it."""
    try:
        bearer_client(request, scope=scope, app_name=app)
    except BearerRefused as refused:
        descriptions = {
            BearerRefused.MISSING: "A bearer token is required (POST the token URL first).",
            BearerRefused.INVALID: "The access token is invalid or has expired.",
            BearerRefused.NOT_ISSUED: f"The access token was not issued for appName {app}.",
            BearerRefused.INSUFFICIENT_SCOPE: f"The access token lacks the {scope} scope.",
        }
        code_minor = "forbidden" if refused.status == 403 else "unauthorisedrequest"
        raise OneRosterError(
            refused.status,
            code_minor,
            descriptions[refused.reason],
            headers={"WWW-Authenticate": refused.www_authenticate},
        ) from None


def oneroster_endpoint(endpoint: str, scope: str = ROSTER_CORE_SCOPE):
    """Count the request, apply faults, check the bearer token; errors as imsx_StatusInfo."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, app, *args, **kwargs):
            injected = faults.intercept(endpoint)
            if injected:
                return injected_response(injected)
            try:
                _authorize(request, app, scope)
                return view(request, app, *args, **kwargs)
            except OneRosterError as exc:
                return _error_response(exc)

        return require_GET(wrapper)

    return decorator


def _base_url(request, app: str) -> str:
    return request.build_absolute_uri(
        f"/sandbox/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2"
    )


def _refs(request, app: str) -> Refs:
    district = district_get()
    return Refs(_base_url(request, app), district.sourced_id if district else None)


def _filter(params, allowed):
    if "filter" not in params:
        return None
    try:
        return parse_filter(params["filter"], allowed)
    except FilterError as exc:
        raise OneRosterError(400, exc.code, str(exc)) from None


def _collection(request, key: str, records: list[dict], total: int, page, fields):
    response = JsonResponse({key: [select_fields(r, fields) for r in records]})
    response["X-Total-Count"] = str(total)
    response["Link"] = link_header(
        request.build_absolute_uri(request.path), request.GET, page, total
    )
    return response


def _user_or_404(sourced_id: str):
    user = load_user(sourced_id)
    if user is None:
        raise OneRosterError(404, "unknownobject", f"No object with sourcedId {sourced_id}.")
    return user


def _users_page(params, filter_fields, sort_fields):
    """One page of persons as the collection's paging, filter and sort ask: (the users'
    data, the matching total, the page)."""
    page = parse_paging(params, settings.CAMPUS_SANDBOX_ONEROSTER_MAX_LIMIT)
    flt = _filter(params, filter_fields)
    sort = parse_sort(params, sort_fields)
    try:
        qs = users_queryset(flt, sort, timezone.localdate())
    except FilterError as exc:
        raise OneRosterError(400, exc.code, str(exc)) from None
    total = qs.count()
    ordered = page_queryset(qs, flt, sort, total)
    ids = list(ordered.values_list("pk", flat=True)[page.offset : page.offset + page.limit])
    return load_users(ids), total, page


@oneroster_endpoint("oneroster.users")
def users(request, app):
    fields = parse_fields(request.GET, USER_FIELDS)
    found, total, page = _users_page(request.GET, FILTER_FIELDS, SORT_FIELDS)
    refs, today = _refs(request, app), timezone.localdate()
    records = [user_to_dict(u, refs, today) for u in found]
    return _collection(request, "users", records, total, page, fields)


@oneroster_endpoint("oneroster.user")
def user(request, app, sourced_id):
    fields = parse_fields(request.GET, USER_FIELDS)
    record = user_to_dict(_user_or_404(sourced_id), _refs(request, app), timezone.localdate())
    return JsonResponse({"user": select_fields(record, fields)})


@oneroster_endpoint("oneroster.demographics", scope=ROSTER_DEMOGRAPHICS_SCOPE)
def demographics_list(request, app):
    """Every user's demographics, paged (OneRoster getAllDemographics)."""
    fields = parse_fields(request.GET, DEMOGRAPHICS_FIELDS)
    found, total, page = _users_page(request.GET, DEMOGRAPHICS_FILTERS, DEMOGRAPHICS_SORTS)
    today = timezone.localdate()
    records = [demographics_to_dict(u, today) for u in found]
    return _collection(request, "demographics", records, total, page, fields)


@oneroster_endpoint("oneroster.demographics", scope=ROSTER_DEMOGRAPHICS_SCOPE)
def demographics(request, app, sourced_id):
    record = demographics_to_dict(_user_or_404(sourced_id), timezone.localdate())
    return JsonResponse({"demographics": record})


def _orgs(request, app, *, schools_only: bool):
    params = request.GET
    page = parse_paging(params, settings.CAMPUS_SANDBOX_ONEROSTER_MAX_LIMIT)
    flt = _filter(params, ORG_FILTER_FIELDS)
    sort = parse_sort(params, ORG_SORT_FIELDS)
    fields = parse_fields(params, ORG_FIELDS)
    records = org_records(_refs(request, app), schools_only=schools_only)
    if flt:
        try:
            test = matcher(flt, ORG_GETTERS, convert_org_value)
        except FilterError as exc:
            raise OneRosterError(400, exc.code, str(exc)) from None
        records = [r for r in records if test(r)]
    if sort:
        key = ORG_GETTERS[sort.field]
        records.sort(key=lambda r: (key(r) is None, key(r)), reverse=sort.descending)
    total = len(records)
    window = [public(r) for r in records[page.offset : page.offset + page.limit]]
    return _collection(request, "orgs", window, total, page, fields)


def _org(request, app, sourced_id, *, schools_only: bool, key: str):
    fields = parse_fields(request.GET, ORG_FIELDS)
    for record in org_records(_refs(request, app), schools_only=schools_only):
        if record["sourcedId"] == sourced_id:
            return JsonResponse({key: select_fields(public(record), fields)})
    raise OneRosterError(404, "unknownobject", f"No org with sourcedId {sourced_id}.")


@oneroster_endpoint("oneroster.orgs")
def orgs(request, app):
    return _orgs(request, app, schools_only=False)


@oneroster_endpoint("oneroster.org")
def org(request, app, sourced_id):
    return _org(request, app, sourced_id, schools_only=False, key="org")


@oneroster_endpoint("oneroster.schools")
def schools(request, app):
    return _orgs(request, app, schools_only=True)


@oneroster_endpoint("oneroster.school")
def school(request, app, sourced_id):
    return _org(request, app, sourced_id, schools_only=True, key="org")


@require_GET
def openapi_description(request):
    return JsonResponse(openapi.description(request.build_absolute_uri("/").rstrip("/")))
