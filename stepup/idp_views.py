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
from stepup.saml.requests.values import RequestRefused, SamlHttpInput
from stepup.sso.authn import begin, proceed, resume, resume_token, validate
from stepup.sso.logout import logout
from stepup.sso.responses import refused


def saml_input(request, binding: str, endpoint: str) -> SamlHttpInput:
    """The Django request as the protocol code sees it: strings, nothing else."""
    source = request.GET if binding == BINDING_HTTP_REDIRECT else request.POST
    redirect = binding == BINDING_HTTP_REDIRECT
    return SamlHttpInput(
        binding=binding,
        endpoint_url=endpoint_url(endpoint),
        saml_request=source.get("SAMLRequest", ""),
        relay_state=source.get("RelayState", ""),
        sig_alg=request.GET.get("SigAlg", "") if redirect else "",
        signature=request.GET.get("Signature", "") if redirect else "",
        raw_query=request.META.get("QUERY_STRING", "") if redirect else "",
    )


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
    data = saml_input(request, BINDING_HTTP_REDIRECT, "sso_redirect")
    try:
        rt, info = validate(request, data)
    except RequestRefused as exc:
        return refused(request, exc, data.binding)
    return begin(request, info, rt)


@csrf_exempt
@never_cache
@require_POST
def sso_post(request):
    # Do not touch the session here: the SP's cross-site POST carries no SameSite=Lax
    # cookie, and writing one would replace the user's session. One redirect later the
    # browser is same-site and brings its cookie.
    data = saml_input(request, BINDING_HTTP_POST, "sso_post")
    try:
        _, info = validate(request, data)
    except RequestRefused as exc:
        return refused(request, exc, data.binding)
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
    data = saml_input(request, BINDING_HTTP_REDIRECT, "slo_redirect")
    try:
        return logout(request, data)
    except RequestRefused as exc:
        return refused(request, exc, data.binding)


@csrf_exempt
@never_cache
@require_POST
def slo_post(request):
    data = saml_input(request, BINDING_HTTP_POST, "slo_post")
    try:
        return logout(request, data)
    except RequestRefused as exc:
        return refused(request, exc, data.binding)
