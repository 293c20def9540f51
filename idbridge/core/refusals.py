"""Refused requests and dashboard sign-ins, in the audit log.

- Every 403 the dashboard answers (a role that does not allow the page, a failed CSRF
  check) is recorded by :class:`RefusalAuditMiddleware`.
- Sign-ins and failed sign-ins are recorded from Django's ``user_logged_in`` and
  ``user_login_failed`` signals, so any way of signing in is audited without a second
  hook. The password itself is never recorded. The passkey and break-glass sign-ins say
  more in their own entry (whose passkey, the alert sent): they sign in with
  :func:`login_audited_by_caller`, and the generic entry is left out, so one sign-in is
  one entry.

Refusals and failures come from whoever sends them, so each client address may add at
most ``AUDIT_REFUSALS_PER_ADDRESS_PER_MINUTE`` such entries a minute: a flood cannot
fill the log (the rest are counted in the request log only).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.signals import user_logged_in, user_login_failed

from idbridge import ratelimit
from idbridge.audit.services import audit_record

log = logging.getLogger(__name__)

# Set on a request whose sign-in its own path audits (``login_audited_by_caller``).
_AUDITED_BY_CALLER = "_idbridge_sign_in_audited_by_caller"


def _within_budget(request) -> bool:
    allowed = ratelimit.hit(
        "audit-refusals",
        ratelimit.client_address(request),
        limit=settings.AUDIT_REFUSALS_PER_ADDRESS_PER_MINUTE,
    )
    if not allowed:
        log.warning("refusal not audited: this address's budget is used up this minute")
    return allowed


def refusal_record(request, status: int) -> None:
    """A refused request: who, what they tried (method and path, no query string)."""
    if not _within_budget(request):
        return
    user = getattr(request, "user", None)
    audit_record(
        actor=user if user is not None and user.is_authenticated else "anonymous",
        action="user.refused",
        target=request.path[:300],
        details={
            "method": request.method,
            "status": status,
            "client_ip": ratelimit.client_address(request),
        },
    )


def sign_in_failure_record(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: the name that was tried (never the password)."""
    if request is None or not _within_budget(request):
        return
    tried = str((credentials or {}).get("username") or "")[:150]
    audit_record(
        actor="anonymous",
        action="user.sign_in_failed",
        details={"username": tried, "client_ip": ratelimit.client_address(request)},
    )


def login_audited_by_caller(request, user, *, backend: str) -> None:
    """``login()`` for a sign-in whose caller writes its audit entry itself, in the same
    request (e.g. ``dashboard.signed_in`` naming whose passkey answered): the generic
    ``user.signed_in`` is then not written as well."""
    setattr(request, _AUDITED_BY_CALLER, True)
    login(request, user, backend=backend)


def sign_in_record(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_in``: a dashboard sign-in, whichever way it was made (unless its own
    path audits it: :func:`login_audited_by_caller`)."""
    if request is not None and getattr(request, _AUDITED_BY_CALLER, False):
        return
    audit_record(
        actor=user,
        action="user.signed_in",
        target=user,
        details={"client_ip": ratelimit.client_address(request) if request else None},
    )


def connect() -> None:
    user_login_failed.connect(sign_in_failure_record, dispatch_uid="audit-sign-in-failed")
    user_logged_in.connect(sign_in_record, dispatch_uid="audit-sign-in")


class RefusalAuditMiddleware:
    """Audits every 403 answered below it (outside CSRF, so a failed CSRF check counts)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            refusal_record(request, response.status_code)
        return response
