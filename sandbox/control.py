"""Machine control of the sandbox for tests and benchmarks: faults and counters (JSON).

Access: ``Authorization: Bearer <CAMPUS_SANDBOX_CONTROL_TOKEN>`` (when that setting is
not empty), or a signed-in dashboard user — ``core.view_sandbox`` to read,
``core.manage_sandbox`` (and a CSRF token) to change.

- ``GET  /sandbox/campus/_counters`` → ``{"counters": {"soap.GetPerson": 3, ...}}``
- ``POST /sandbox/campus/_counters/reset`` → all zero
- ``GET  /sandbox/campus/_faults`` → ``{"faults": {...switches}}``
- ``POST /sandbox/campus/_faults`` with a JSON object of switches (see sandbox/faults.py),
  plus ``"clear": true`` (all off first) and ``"expire_sessions": true`` (every SOAP
  session and OAuth2 token expires now).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults

TOKEN_ACTOR = "campus:control-token"


def _access(request, *, write: bool):
    """(actor, None) when allowed, else (None, an error response)."""
    token = settings.CAMPUS_SANDBOX_CONTROL_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer "):
        if constant_time_compare(auth[len("Bearer ") :].strip(), token):
            return TOKEN_ACTOR, None
        return None, JsonResponse({"error": "invalid control token"}, status=401)
    if not request.user.is_authenticated:
        return None, JsonResponse({"error": "authentication required"}, status=401)
    if not request.user.has_perm("core.manage_sandbox" if write else "core.view_sandbox"):
        return None, JsonResponse({"error": "permission denied"}, status=403)
    if write:
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return None, rejected
    return request.user, None


@csrf_exempt  # token callers have no CSRF cookie; session callers are checked in _access
def counters(request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    _, denied = _access(request, write=False)
    return denied or JsonResponse({"counters": faults.counters_get()})


@csrf_exempt
def counters_reset(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor, denied = _access(request, write=True)
    if denied:
        return denied
    faults.counters_reset(actor=actor)
    return JsonResponse({"counters": faults.counters_get()})


@csrf_exempt
def faults_control(request):
    if request.method == "GET":
        _, denied = _access(request, write=False)
        return denied or JsonResponse({"faults": faults.faults_as_dict()})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    actor, denied = _access(request, write=True)
    if denied:
        return denied
    try:
        changes = json.loads(request.body or b"{}")
        if not isinstance(changes, dict):
            raise ValueError("a JSON object is expected")
        clear = bool(changes.pop("clear", False))
        expire = bool(changes.pop("expire_sessions", False))
        if clear:
            faults.faults_clear(actor=actor)
        if changes:
            faults.faults_set(actor=actor, **changes)
    except (ValueError, faults.FaultSettingError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    expired = faults.sessions_expire_now(actor=actor) if expire else 0
    return JsonResponse({"faults": faults.faults_as_dict(), "sessions_expired": expired})
