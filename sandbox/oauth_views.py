"""The OAuth2 token endpoint: ``POST /sandbox/campus/oauth2/token?appName=<app>``.

django-oauth-toolkit's TokenView does the client-credentials grant; in front of it the
sandbox counts the request, applies faults and checks that ``appName`` is the client's.
"""

from __future__ import annotations

import base64
from urllib.parse import unquote_plus

from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import TokenView

from sandbox import faults
from sandbox.models import ApiClient

_token_view = TokenView.as_view()


def _client_id(request) -> str:
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
            return ""
        return unquote_plus(decoded.split(":", 1)[0])
    return request.POST.get("client_id", "")


def _oauth_error(status: int, error: str, description: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def token(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    injected = faults.intercept("oauth.token")
    if injected:
        if injected.kind == "rate_limit":
            return _oauth_error(
                429, "slow_down", "Too many requests.", Retry_After=str(injected.retry_after or 1)
            )
        return _oauth_error(
            injected.status, "temporarily_unavailable", "The server is unavailable (injected)."
        )
    app_name = request.GET.get("appName", "")
    client_id = _client_id(request)
    client = (
        ApiClient.objects.filter(application__client_id=client_id).first() if client_id else None
    )
    if not app_name:
        return _oauth_error(400, "invalid_request", "The appName query parameter is required.")
    if client is None or not client.is_active or client.app_name != app_name:
        return _oauth_error(
            401,
            "invalid_client",
            "Client authentication failed.",
            WWW_Authenticate='Basic realm="campus"',
        )
    # Campus carries appName in the token URL's query string, but oauthlib refuses any
    # query parameter at the token endpoint: the sandbox has consumed it, DOT sees none.
    request.META["QUERY_STRING"] = ""
    return _token_view(request)
