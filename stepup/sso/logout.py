"""SP-initiated Single Logout: end the IdP session when the NameID is the one we gave that
SP in this session, and answer with a LogoutResponse (Success)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError

from stepup.runtime import Runtime, SpConfig, runtime
from stepup.saml import idp as saml_idp
from stepup.saml.requests.logout import validate_logout_request
from stepup.saml.requests.values import LogoutRequestInfo, RequestRefused, SamlHttpInput
from stepup.services.decisions import sso_logout_record
from stepup.sso import ISSUED_KEY, PENDING_KEY
from stepup.sso.authn import validation_context
from stepup.sso.responses import post_form
from stepup.subjects import sso_session_end, sso_session_subject


def logout(request, data: SamlHttpInput):
    """Validate the LogoutRequest, end the session if it names us, answer the SP."""
    rt = runtime()
    info = validate_logout_request(data, **validation_context(rt))
    sp = rt.sps[info.sp_entity_id]
    _end_session_if_named(request, sp, info)
    endpoint = _slo_endpoint(sp)
    if endpoint is None:
        return render(request, "stepup/logged_out.html", {"sp_name": sp.title})
    xml = _logout_response(rt, info, endpoint.binding)
    if endpoint.binding == BINDING_HTTP_POST:
        return post_form(
            request,
            sp=sp,
            destination=endpoint.url,
            field="SAMLResponse",
            xml=xml,
            relay_state=info.relay_state,
        )
    return redirect(
        saml_idp.redirect_url(
            rt.idp, destination=endpoint.url, xml=xml, relay_state=info.relay_state
        )
    )


def _end_session_if_named(request, sp: SpConfig, info: LogoutRequestInfo) -> None:
    """Only the NameID issued to this SP in this session ends it (an SP cannot log out
    someone else, or a session it was never part of)."""
    subject = sso_session_subject(request)
    issued = request.session.get(ISSUED_KEY, {})
    if subject is None or issued.get(sp.entity_id) != info.name_id:
        return
    sso_logout_record(subject=subject, sp_entity_id=sp.entity_id, request_id=info.request_id)
    sso_session_end(request)
    request.session.pop(ISSUED_KEY, None)
    request.session.pop(PENDING_KEY, None)


def _slo_endpoint(sp: SpConfig):
    """The SP's logout address, HTTP-POST preferred; None when it registered none."""
    for binding in (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT):
        for endpoint in sp.slo:
            if endpoint.binding == binding:
                return endpoint
    return None


def _logout_response(rt: Runtime, info: LogoutRequestInfo, binding: str) -> str:
    try:
        return saml_idp.logout_response(rt.idp, request_xml=info.xml, binding=binding)
    except SAMLError as exc:
        raise RequestRefused(
            "slo_not_registered",
            f"No logout address is registered for this service provider ({exc}).",
            status=403,
            sp_entity_id=info.sp_entity_id,
            request_id=info.request_id,
        )
