"""SAML endpoints under ``/idp/``: metadata, SSO (HTTP-Redirect, HTTP-POST), SLO.

Thin: :func:`saml_input` is the one glue function from a Django request to the plain
input the protocol code takes; the flows are in ``stepup.sso``. Only the HTTP-POST
endpoints are CSRF-exempt: the SP's auto-submitting form cannot carry our token (the
message is authenticated by its signature, issuer registration and replay checks).
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from stepup.runtime import endpoint_url, runtime
from stepup.saml.metadata import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from stepup.saml.requests.parameters import (
    form_body_fields,
    post_input,
    redirect_input,
    single_fields,
)
from stepup.saml.requests.values import RequestRefused, SamlHttpInput
from stepup.sso.authn import begin, proceed, resume, resume_token, validate
from stepup.sso.logout import logout
from stepup.sso.responses import refused


def saml_input(request, binding: str, endpoint: str) -> SamlHttpInput:
    """The Django request as the protocol code sees it: strings, nothing else. The SAML
    parameters are read from the query string or form body as received (never from
    Django's QueryDict, which keeps the last of duplicated or differently encoded names);
    raises RequestRefused for a duplicated or encoded SAML parameter."""
    raw_query = request.META.get("QUERY_STRING", "")
    if binding == BINDING_HTTP_REDIRECT:
        return redirect_input(endpoint_url(endpoint), raw_query)
    if request.content_type == "application/x-www-form-urlencoded":
        fields = form_body_fields(request.body.decode("latin-1"))
    else:
        fields = single_fields(dict(request.POST.lists()))
    return post_input(endpoint_url(endpoint), fields, raw_query)


@require_GET
def metadata(request):
    response = HttpResponse(
        runtime().idp.metadata_xml, content_type="application/samlmetadata+xml; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="idbridge-idp-metadata.xml"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@never_cache
@require_GET
def sso_redirect(request):
    try:
        rt, info = validate(request, saml_input(request, BINDING_HTTP_REDIRECT, "sso_redirect"))
    except RequestRefused as exc:
        return refused(request, exc, BINDING_HTTP_REDIRECT)
    return begin(request, info, rt)


@csrf_exempt
@never_cache
@require_POST
def sso_post(request):
    # Do not touch the session here: the SP's cross-site POST carries no SameSite=Lax
    # cookie, and writing one would replace the user's session. One redirect later the
    # browser is same-site and brings its cookie.
    try:
        _, info = validate(request, saml_input(request, BINDING_HTTP_POST, "sso_post"))
    except RequestRefused as exc:
        return refused(request, exc, BINDING_HTTP_POST)
    response = HttpResponse(status=303)
    # Relative: the browser stays on the host it posted to, where its cookie lives.
    response["Location"] = f"{reverse('idp:sso_resume')}?t={resume_token(info)}"
    return response


@never_cache
@require_GET
def sso_resume(request):
    return resume(request, request.GET.get("t", ""))


@never_cache
@require_GET
def sso_continue(request, key):
    return proceed(request, key)


@never_cache
@require_GET
def slo_redirect(request):
    try:
        return logout(request, saml_input(request, BINDING_HTTP_REDIRECT, "slo_redirect"))
    except RequestRefused as exc:
        return refused(request, exc, BINDING_HTTP_REDIRECT)


@csrf_exempt
@never_cache
@require_POST
def slo_post(request):
    try:
        return logout(request, saml_input(request, BINDING_HTTP_POST, "slo_post"))
    except RequestRefused as exc:
        return refused(request, exc, BINDING_HTTP_POST)
