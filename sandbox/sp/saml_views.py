"""The sandbox's SAML endpoints, on djangosaml2's views: metadata, login, ACS, logout.

djangosaml2 signs people in to Django (``auth.login``) and out of it (``auth.logout``,
which would end idbridge's own dashboard and IdP session in the shared cookie). Here the
ACS keeps the asserted person in the portal's own session instead
(:mod:`sandbox.sp.session`), and logout is ours: it ends only the portal session and asks
idbridge for Single Logout.

Every refusal (a SAML error status such as ``NoAuthnContext``, a bad signature, a step-up
by another person, the wrong class) renders a page and leaves the portal session as it
was.
"""

from __future__ import annotations

import logging

import saml2
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from djangosaml2 import views as saml_views
from djangosaml2.cache import IdentityCache, OutstandingQueriesCache, StateCache
from djangosaml2.overrides import Saml2Client
from saml2.client_base import LogoutError
from saml2.response import StatusError
from saml2.s_utils import UnsupportedBinding
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext

from sandbox.sp import config
from sandbox.sp.assertions import (
    Asserted,
    Refused,
    check_asserted,
    status_of,
    weak_algorithms,
)
from sandbox.sp.metadata import sp_metadata_xml
from sandbox.sp.pages import PAGES, REFEDS_MFA, Page, page_for_path
from sandbox.sp.session import (
    StepUpRecord,
    portal_sign_in,
    portal_sign_out,
    portal_user,
    step_up_forget,
    step_up_store,
    with_portal_session,
)

log = logging.getLogger("idbridge.connectors.sp")


def page_paths() -> dict[str, str]:
    return {key: reverse(f"campus:sp_{key}") for key in PAGES}


def portal_path() -> str:
    return reverse("campus:sp_portal")


def page_of(path: str | None) -> Page | None:
    return page_for_path(path or "", page_paths())


def _unavailable(request, exc: config.IdpUnavailable):
    return render(
        request,
        "sandbox/sp/refused.html",
        {
            "title": "idbridge cannot be reached",
            "message": str(exc),
            "portal": portal_user(request.saml_session),
        },
        status=503,
    )


# --- metadata --------------------------------------------------------------------------


@require_GET
def metadata(request):
    """The SP's metadata (entity ID, ACS, SLO, signing certificate, what it wants signed)."""
    xml = sp_metadata_xml()
    response = HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="campus-sandbox-sp-metadata.xml"'
    return response


# --- login (AuthnRequest) ----------------------------------------------------------------


@method_decorator([never_cache, with_portal_session], name="dispatch")
class LoginView(saml_views.LoginView):
    """Send an AuthnRequest (HTTP-Redirect, signed RSA-SHA256) to idbridge.

    ``next`` must be a sandbox portal page; it becomes the RelayState and is kept server
    side with the request ID (djangosaml2's outstanding queries). For a sensitive page the
    request asks for that page's step-up class (``exact``) with ``ForceAuthn``; otherwise
    for a user-verified passkey sign-in (REFEDS MFA).
    """

    config_loader_path = "sandbox.sp.config.sp_config_load"

    def should_prevent_auth(self, request) -> bool:
        return False  # a signed-in person asks again for every step-up

    def get(self, request, *args, **kwargs):
        wanted = request.GET.get("next", "")
        if wanted not in (portal_path(), *page_paths().values()):
            wanted = portal_path()
        request.GET = QueryDict(mutable=True)
        request.GET["next"] = wanted
        try:
            return super().get(request, *args, **kwargs)
        except config.IdpUnavailable as exc:
            return _unavailable(request, exc)

    def load_sso_kwargs(self, sso_kwargs):
        page = page_of(self.request.GET.get("next"))
        class_ref = page.class_ref if page else REFEDS_MFA
        sso_kwargs["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=class_ref)],
            comparison="exact",
        )
        if page:
            sso_kwargs["force_authn"] = "true"


def login_url(next_path: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = next_path
    return f"{reverse('campus:sp_login')}?{query.urlencode()}"


# --- ACS ---------------------------------------------------------------------------------


@method_decorator([never_cache, with_portal_session], name="dispatch")
class AcsView(saml_views.AssertionConsumerServiceView):
    """Verify idbridge's Response (pysaml2: signatures on Response and Assertion against
    the IdP's metadata certificates, InResponseTo one of our outstanding requests,
    audience, recipient, time window), then our own checks, then keep the result in the
    portal session and go back to the page that asked (from our side, not RelayState)."""

    config_loader_path = "sandbox.sp.config.sp_config_load"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except config.IdpUnavailable as exc:
            return _unavailable(request, exc)

    def custom_validation(self, response):
        weak = weak_algorithms(response.xmlstr)
        if weak:
            raise Refused(
                "This sign-in answer was refused",
                f"It was signed with an algorithm weaker than SHA-256 ({', '.join(weak)}).",
            )

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):
        """No Django login: check the assertion against what was asked, then remember it."""
        now = timezone.now()
        asserted = Asserted.from_session_info(session_info)
        page = page_of(session_info.get("came_from"))
        current = portal_user(request.saml_session)
        check_asserted(asserted, current, page, now)
        if current is None:
            portal_sign_in(request.saml_session, asserted.portal_user(session_info, now))
        if page is not None:
            step_up_store(
                request.saml_session,
                page.key,
                StepUpRecord(
                    class_ref=asserted.class_ref,
                    authn_instant=asserted.authn_instant,
                    received_at=now,
                    assertion_id=assertion_info.get("assertion_id", ""),
                    attributes=asserted.attributes,
                ),
            )
        saml_views._set_subject_id(request.saml_session, asserted.name_id)
        log.info(
            "campus portal assertion accepted",
            extra={"page": page.key if page else "portal", "class_ref": asserted.class_ref},
        )
        return asserted.name_id.text

    def custom_redirect(self, user, relay_state, session_info) -> str:
        # Where the request came from, as we recorded it: the browser's RelayState is
        # only a hint (djangosaml2 validates it; we do not need it).
        came_from = session_info.get("came_from")
        return came_from if page_of(came_from) else portal_path()

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        portal = portal_user(request.saml_session)
        if isinstance(exception, Refused):
            title, message, saml_status = exception.title, exception.message, {}
            page = page_of((kwargs.get("session_info") or {}).get("came_from"))
        elif isinstance(exception, StatusError):
            # Signed by idbridge (pysaml2 checks the signature before the status).
            saml_status = status_of(request.POST.get("SAMLResponse", ""))
            oq = OutstandingQueriesCache(request.saml_session)
            page = page_of(oq.outstanding_queries().get(saml_status.get("in_response_to")))
            oq.delete(saml_status.get("in_response_to"))
            title = "Step-up refused" if page else "Sign-in refused"
            message = saml_status.get("message") or "idbridge did not confirm who you are."
        else:
            title = "This sign-in answer was refused"
            message = (
                "The portal could not verify idbridge's answer "
                f"({type(exception).__name__}). Nothing was changed; try again."
            )
            saml_status, page = {}, None
        if page is not None:
            step_up_forget(request.saml_session, page.key)
        log.warning(
            "campus portal refused a SAML response",
            extra={"reason": type(exception).__name__, "status": saml_status.get("detail")},
        )
        return render(
            request,
            "sandbox/sp/refused.html",
            {
                "title": title,
                "message": message,
                "status": saml_status,
                "page": page,
                "page_url": reverse(f"campus:sp_{page.key}") if page else "",
                "portal": portal,
            },
            status=status,
        )


# --- logout ------------------------------------------------------------------------------


def _client(request):
    conf = config.sp_config_load(request)
    state = StateCache(request.saml_session)
    return state, Saml2Client(
        conf, state_cache=state, identity_cache=IdentityCache(request.saml_session)
    )


@require_POST
@never_cache
@with_portal_session
def logout(request):
    """Sign out of the portal, then ask idbridge to end its session too (SP-initiated SLO,
    signed LogoutRequest over HTTP-Redirect)."""
    session = request.saml_session
    subject_id = saml_views._get_subject_id(session)
    if portal_user(session) is None or subject_id is None:
        portal_sign_out(session)
        return redirect("campus:sp_signed_out")
    location = None
    try:
        state, client = _client(request)
        result = client.global_logout(subject_id)
        state.sync()
        for _entity, outcome in (result or {}).items():
            if isinstance(outcome, tuple) and outcome[0] == saml2.BINDING_HTTP_REDIRECT:
                location = saml_views.get_location(outcome[1])
                break
    except (config.IdpUnavailable, LogoutError, UnsupportedBinding) as exc:
        log.warning("campus portal single logout failed", extra={"reason": str(exc)})
    # The portal session ends now, whatever idbridge answers. Keep only djangosaml2's
    # logout state, to match the LogoutResponse.
    kept = {k: v for k, v in session.items() if k == "_saml2_state"}
    portal_sign_out(session)
    session.update(kept)
    if location is None:
        return redirect(f"{reverse('campus:sp_signed_out')}?idp=unknown")
    return redirect(location)


@require_GET
@never_cache
@with_portal_session
def single_logout(request):
    """idbridge's answer to our LogoutRequest, or its own LogoutRequest (HTTP-Redirect)."""
    session = request.saml_session
    try:
        state, client = _client(request)
    except config.IdpUnavailable as exc:
        return _unavailable(request, exc)
    if "SAMLResponse" in request.GET:
        try:
            response = client.parse_logout_request_response(
                request.GET["SAMLResponse"], saml2.BINDING_HTTP_REDIRECT
            )
            ok = bool(response and response.status_ok())
        except Exception as exc:  # noqa: BLE001 - pysaml2 raises many types; all mean "not confirmed"
            log.warning("campus portal logout response refused", extra={"reason": str(exc)})
            ok = False
        portal_sign_out(session)
        return redirect(f"{reverse('campus:sp_signed_out')}?idp={'ended' if ok else 'unknown'}")
    if "SAMLRequest" in request.GET:
        subject_id = saml_views._get_subject_id(session)
        if subject_id is None:
            portal_sign_out(session)
            return redirect("campus:sp_signed_out")
        http_info = client.handle_logout_request(
            request.GET["SAMLRequest"],
            subject_id,
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=request.GET.get("RelayState", ""),
        )
        state.sync()
        portal_sign_out(session)
        return redirect(saml_views.get_location(http_info))
    return HttpResponseBadRequest("No SAMLResponse or SAMLRequest.")
