"""What the IdP answers: refusal pages, and signed Responses posted back to the SP.

Every answer to an SP is audited (``stepup.services.decisions``) and forgets the pending
request it answers.
"""

from __future__ import annotations

import base64
import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from idbridge import ratelimit
from stepup.policy import Decision
from stepup.runtime import Runtime, SpConfig
from stepup.saml import idp as saml_idp
from stepup.saml.requests.values import RequestRefused
from stepup.services.decisions import (
    assertion_issued_record,
    authn_request_refused_record,
    step_up_denial_record,
)
from stepup.sso import ISSUED_KEY
from stepup.sso.pending import Pending, forget
from stepup.subjects import Subject

log = logging.getLogger("idbridge.stepup")


# --- pages -----------------------------------------------------------------------------


def error_page(request, *, title: str, message: str, status: int):
    return render(request, "stepup/error.html", {"title": title, "message": message}, status=status)


def refused(request, exc: RequestRefused, binding: str):
    """An audited, human-readable refusal page with the right status."""
    address = ratelimit.client_address(request)
    if ratelimit.hit("stepup-refused", address, limit=settings.STEPUP_REFUSALS_AUDITED_PER_MINUTE):
        authn_request_refused_record(
            code=exc.code,
            message=exc.message,
            sp_entity_id=exc.sp_entity_id,
            request_id=exc.request_id,
            binding=binding,
            client_ip=address,
        )
    else:
        log.warning("saml refusals over the audit limit", extra={"code": exc.code})
    log.info("saml request refused", extra={"code": exc.code, "sp": exc.sp_entity_id})
    return error_page(
        request,
        title="This sign-in request was refused",
        message=exc.message,
        status=exc.status,
    )


def post_form(request, *, sp: SpConfig, destination: str, field: str, xml: str, relay_state: str):
    """The HTTP-POST binding: a form that submits itself (static/stepup/autosubmit.js).
    The page uses nothing from the request: its template is rendered once per process
    with markers (:func:`_post_page`) and the values, escaped as the template would
    escape them, are put in their places."""
    values = {
        "destination": destination,
        "field": field,
        "value": _b64(xml),
        "relay_state": relay_state,
        "sp_name": sp.title,
    }
    parts = _post_page(bool(relay_state))
    # Even positions are the template's own text; odd ones name a value.
    page = "".join(part if i % 2 == 0 else escape(values[part]) for i, part in enumerate(parts))
    return HttpResponse(page)


_MARK = "\x00"  # not in the template; values may hold it: they are placed after the split


@functools.cache
def _post_page(with_relay_state: bool) -> tuple[str, ...]:
    """``stepup/post_binding.html`` split at its values: text, name, text, name, text."""
    names = ("destination", "field", "value", "relay_state", "sp_name")
    context = {name: mark_safe(f"{_MARK}{name}{_MARK}") for name in names}  # noqa: S308
    if not with_relay_state:
        context["relay_state"] = ""
    parts = tuple(render_to_string("stepup/post_binding.html", context).split(_MARK))
    if any(parts[i] not in names for i in range(1, len(parts), 2)):
        raise ValueError("stepup/post_binding.html: a value was not placed as a whole")
    return parts


def _b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


# --- answers to the SP --------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One pending request being answered: the browser's request, the IdP, the SP, the
    pending request (and its key in the session) and who is signed in, if anyone."""

    request: HttpRequest
    rt: Runtime
    sp: SpConfig
    key: str
    pending: Pending
    subject: Subject | None


def _error_xml(ex: Exchange, status: str, message: str) -> str:
    return saml_idp.error_response(
        ex.rt.idp,
        in_response_to=ex.pending.request_id,
        destination=ex.pending.acs_url,
        status=status,
        message=message,
    )


def _record_denial(ex: Exchange, decision: Decision, status: str) -> None:
    step_up_denial_record(
        subject=ex.subject,
        sp_entity_id=ex.sp.entity_id,
        request_id=ex.pending.request_id,
        decision=decision,
        status=status,
    )


def _post_response(ex: Exchange, xml: str):
    return post_form(
        ex.request,
        sp=ex.sp,
        destination=ex.pending.acs_url,
        field="SAMLResponse",
        xml=xml,
        relay_state=ex.pending.relay_state,
    )


def answer_error(ex: Exchange, decision: Decision, status: str):
    """A signed error Response with ``status``, posted back to the SP at once."""
    _record_denial(ex, decision, status)
    xml = _error_xml(ex, status, decision.reason)
    forget(ex.request, ex.key)
    return _post_response(ex, xml)


def answer_denied(ex: Exchange, decision: Decision):
    """RequestDenied: a page says why, and its button takes the signed error to the SP."""
    status = saml_idp.STATUS_REQUEST_DENIED
    _record_denial(ex, decision, status)
    xml = _error_xml(ex, status, decision.reason)
    forget(ex.request, ex.key)
    return render(
        ex.request,
        "stepup/denied.html",
        {
            "reason": decision.reason,
            "sp_name": ex.sp.title,
            "destination": ex.pending.acs_url,
            "value": _b64(xml),
            "relay_state": ex.pending.relay_state,
        },
        status=403,
    )


def answer_assertion(ex: Exchange, decision: Decision):
    """The signed Response with the assertion (encrypted when the SP asks for it)."""
    sp, pending, subject = ex.sp, ex.pending, ex.subject
    name_id = saml_idp.name_id_for(
        fmt=sp.name_id_format,
        secret=ex.rt.nameid_secret,
        idp_entity_id=ex.rt.idp.spec.entity_id,
        sp_entity_id=sp.entity_id,
        subject_id=subject.subject_id,
        email=subject.email,
    )
    encrypt = sp.encrypt_assertions and bool(sp.encryption_certs)
    issued = saml_idp.authn_response(
        ex.rt.idp,
        in_response_to=pending.request_id,
        destination=pending.acs_url,
        sp_entity_id=sp.entity_id,
        name_id=name_id,
        identity=saml_idp.identity_for(subject.attribute_values(), sp.released_attributes),
        class_ref=decision.class_ref,
        authn_instant=decision.authn_instant,
        encrypt_cert_pem=sp.encryption_certs[0] if encrypt else None,
    )
    assertion_issued_record(
        subject=subject,
        sp_entity_id=sp.entity_id,
        request_id=pending.request_id,
        response_id=issued.response_id,
        decision=decision,
        acs_url=pending.acs_url,
        encrypted=encrypt,
    )
    _remember_name_id(ex.request, sp.entity_id, name_id.text)
    forget(ex.request, ex.key)
    return _post_response(ex, issued.xml)


def _remember_name_id(request, sp_entity_id: str, name_id: str) -> None:
    """Kept so that the SP's LogoutRequest can be checked (stepup.sso.logout)."""
    issued = dict(request.session.get(ISSUED_KEY, {}))
    issued[sp_entity_id] = name_id
    request.session[ISSUED_KEY] = issued
