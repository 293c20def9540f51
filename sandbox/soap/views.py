"""HTTP glue of the SOAP Identity Service: WSDL on GET ?wsdl, envelopes on POST."""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults
from sandbox.soap import envelope, service
from sandbox.soap.envelope import SoapFault
from sandbox.soap.wsdl import wsdl

log = logging.getLogger("sandbox.soap")

XML = "text/xml; charset=utf-8"
OPERATIONS = {
    "AuthenticateRequest": "soap.Authenticate",
    "GetPersonRequest": "soap.GetPerson",
}


def _fault_response(fault: SoapFault) -> HttpResponse:
    response = HttpResponse(envelope.build_fault(fault), status=fault.http_status, content_type=XML)
    if fault.retry_after is not None:
        response["Retry-After"] = str(fault.retry_after)
    if fault.code != "soap:Server":
        # SOAP 1.1 sends every fault as HTTP 500, so Django would log each one as an
        # "Internal Server Error". A caller's fault (unknown person, expired session, bad
        # credentials) is an answer, not a server failure: this module logs it at INFO.
        response._has_been_logged = True
    return response


def _injected_response(injected: faults.Injected) -> HttpResponse:
    if injected.kind == "rate_limit":
        return _fault_response(
            SoapFault(
                "tns:RateLimited",
                "RateLimited",
                "Too many requests; retry later.",
                http_status=429,
                retry_after=injected.retry_after or 1,
            )
        )
    if injected.status == 500:
        return _fault_response(
            SoapFault("soap:Server", "InternalError", "Internal error (injected fault).")
        )
    reasons = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    return HttpResponse(
        reasons.get(injected.status, "Error"), status=injected.status, content_type="text/plain"
    )


@csrf_exempt
def identity_service(request):
    if request.method == "GET":
        if not any(key.lower() == "wsdl" for key in request.GET):
            return HttpResponse(
                "Add ?wsdl for the service description.", status=400, content_type="text/plain"
            )
        injected = faults.intercept("soap.wsdl")
        if injected:
            return _injected_response(injected)
        address = request.build_absolute_uri(request.path)
        return HttpResponse(wsdl(address), content_type=XML)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        soap_request = envelope.parse_request(request.body)
        endpoint = OPERATIONS.get(soap_request.operation)
        if endpoint is None:
            raise envelope.malformed(f"Unknown operation {soap_request.operation}.")
    except SoapFault as fault:
        faults.counter_increment("soap.invalid")
        return _fault_response(fault)
    injected = faults.intercept(endpoint)
    if injected:
        return _injected_response(injected)
    now = timezone.now()
    try:
        if endpoint == "soap.Authenticate":
            session_id, expires_at = service.soap_authenticate(token=soap_request.token, now=now)
            body = envelope.build_response(
                "AuthenticateResponse", {"sessionID": session_id, "expiresAt": expires_at}
            )
        else:
            person = service.soap_get_person(values=soap_request.values, now=now)
            body = envelope.build_response("GetPersonResponse", {"person": person})
    except SoapFault as fault:
        log.info("soap fault", extra={"operation": endpoint, "fault": fault.detail_code})
        return _fault_response(fault)
    return HttpResponse(body, content_type=XML)
