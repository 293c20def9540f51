import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from idbridge.core.logging import request_id_var

log = logging.getLogger("idbridge.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (or keeps a sane X-Request-ID), logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class IdleTimeoutMiddleware:
    """Signs a dashboard user out after SESSION_IDLE_TIMEOUT_SECONDS without a request.

    A page's own background refresh (status, funnel, job progress: sent with
    ``X-Background-Refresh``) is not the person at the dashboard: it does not keep the
    session alive, so a dashboard left open on a screen still signs out. Once signed out
    it answers 401, and the page reloads to the sign-in page."""

    KEY = "_last_seen"
    BACKGROUND_HEADER = "X-Background-Refresh"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY, now)
            background = bool(request.headers.get(self.BACKGROUND_HEADER))
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if background:
                    return HttpResponse("Signed out after inactivity.", status=401)
                return redirect(f"{reverse(settings.LOGIN_URL)}?idle=1")
            # Write at most once a minute: saves a session write on every request.
            if not background and (now - last_seen >= 60 or self.KEY not in request.session):
                request.session[self.KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set.

    Every answer a view gives is ``Cache-Control: no-store`` unless the view says
    otherwise (the IdP's metadata): a dashboard page, an export, the invited person's
    pages (their link carries the token, the record check their name) and the sandbox's
    APIs all carry personal data, signed-in or not. Static files never reach this
    middleware (WhiteNoise answers them first) and keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Cache-Control", "no-store")
        return response
