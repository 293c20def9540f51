"""Strict AuthnRequest validation, beyond what pysaml2 checks. No Django imports.

The view turns the Django request into a plain :class:`SamlHttpInput` (one glue
function, ``stepup.idp_views.saml_input``); :func:`validate_authn_request` then checks,
in this order, and raises :class:`RequestRefused` (a code, a sentence for a person, an
HTTP status) at the first failure:

1. the binding's encoding: base64, DEFLATE for HTTP-Redirect, bounded sizes;
2. XML without a DOCTYPE or entity declarations (refused, not merely not expanded);
3. a SAML 2.0 ``samlp:AuthnRequest`` with ID, Version and IssueInstant;
4. the Issuer is a registered, enabled SP;
5. signatures: every signature present must verify against the SP's certificates from
   *our registry* (the KeyInfo in the message is never used); the SP must sign when its
   metadata says ``AuthnRequestsSigned`` or the district requires it. POST: enveloped,
   one Reference to the request's own ID, SHA-2 only. Redirect: the query-string
   signature over the octets as received;
6. Destination, when present (required when signed), is the endpoint it arrived at;
7. IssueInstant within ``clock_skew`` of now;
8. the response can go only to an HTTP-POST ACS URL in the SP's metadata (by URL or by
   index; none given: the SP's default);
9. ``ForceAuthn`` / ``IsPassive`` are xs:boolean, parsed as such ("false" is false);
10. the request ID has not been seen before (``claim_request_id``, shared by workers).

Steps 1-7 and 10 apply to a ``samlp:LogoutRequest`` too (:func:`validate_logout_request`).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from idbridge.saml_crypto import (
    XmlSignatureError,
    load_public_key,
    parse_xml,
    verify_enveloped,
)
from stepup.policy import COMPARISONS, EXACT, RequestedContext
from stepup.saml.metadata import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, Endpoint, default_acs

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DSIG = "http://www.w3.org/2000/09/xmldsig#"

MAX_ENCODED_BYTES = 64 * 1024
MAX_XML_BYTES = 128 * 1024
MAX_RELAY_STATE = 1024

# HTTP-Redirect SigAlg values we accept (SHA-1 is refused).
REDIRECT_SIG_ALGS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", hashes.SHA512),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ec", hashes.SHA512),
}


class RequestRefused(Exception):
    """The request is refused. ``code`` is stable (audit, tests); ``message`` is for people."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        sp_entity_id: str = "",
        request_id: str = "",
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sp_entity_id = sp_entity_id
        self.request_id = request_id


@dataclass(frozen=True)
class SamlHttpInput:
    """What arrived over HTTP, before anything is decoded.

    ``raw_query`` is the query string exactly as received: the HTTP-Redirect signature
    covers those octets, not a re-encoding of them.
    """

    binding: str  # BINDING_HTTP_REDIRECT or BINDING_HTTP_POST
    endpoint_url: str
    saml_request: str = ""
    relay_state: str = ""
    sig_alg: str = ""
    signature: str = ""
    raw_query: str = ""


@dataclass(frozen=True)
class RegisteredSp:
    """The registry's view of an SP, as the validator needs it."""

    entity_id: str
    acs: tuple[Endpoint, ...]
    signing_certs: tuple[str, ...]
    signatures_required: bool
    enabled: bool = True


@dataclass(frozen=True)
class AuthnRequestInfo:
    """A validated AuthnRequest: plain values, safe to keep in a session."""

    request_id: str
    sp_entity_id: str
    issue_instant: datetime
    acs_url: str
    relay_state: str
    force_authn: bool
    is_passive: bool
    requested: RequestedContext | None
    name_id_format: str | None
    signed: bool
    binding: str
    xml: str = field(repr=False, default="")


def decode_message(data: SamlHttpInput) -> bytes:
    """base64 (and raw DEFLATE for HTTP-Redirect), with size limits."""
    encoded = (data.saml_request or "").strip()
    if not encoded:
        raise RequestRefused("missing", "The request carries no SAMLRequest.")
    if len(encoded) > MAX_ENCODED_BYTES:
        raise RequestRefused("too_large", "The SAML request is too large.")
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RequestRefused("malformed", "The SAMLRequest is not valid base64.")
    if data.binding == BINDING_HTTP_REDIRECT:
        inflater = zlib.decompressobj(-15)
        try:
            raw = inflater.decompress(raw, MAX_XML_BYTES + 1)
        except zlib.error:
            raise RequestRefused("malformed", "The SAMLRequest is not DEFLATE-compressed.")
    if len(raw) > MAX_XML_BYTES:
        raise RequestRefused("too_large", "The SAML request is too large.")
    return raw


def parse_request_xml(raw: bytes) -> etree._Element:
    # A DOCTYPE may declare entities (billion laughs, external files): refuse it outright.
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise RequestRefused("dtd", "SAML requests with a DOCTYPE or entities are refused.")
    try:
        return parse_xml(raw)
    except XmlSignatureError:
        raise RequestRefused("dtd", "SAML requests with a DOCTYPE or entities are refused.")
    except etree.XMLSyntaxError:
        raise RequestRefused("malformed", "The SAML request is not well-formed XML.")


_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


def parse_xs_boolean(value: str | None, name: str) -> bool:
    """xs:boolean: ``true``/``1``/``false``/``0`` (whitespace collapsed); absent = false."""
    if value is None:
        return False
    try:
        return _BOOLEAN[value.strip()]
    except KeyError:
        raise RequestRefused("bad_boolean", f"{name}={value!r} is not a boolean.")


_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
)


def parse_xs_datetime(value: str | None) -> datetime:
    """An xs:dateTime as an aware UTC datetime (no zone given: UTC, as SAML requires)."""
    match = _DATETIME.match((value or "").strip())
    if not match:
        raise RequestRefused("malformed", f"IssueInstant {value!r} is not an xs:dateTime.")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int(float(fraction) * 1_000_000) if fraction else 0,
            tzinfo=UTC,
        )
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    except (ValueError, OverflowError):  # e.g. year 1 or 9999 moved past the calendar's end
        raise RequestRefused("malformed", f"IssueInstant {value!r} is not a valid date.")
    return moment


def _load_cert_public_key(pem: str):
    return x509.load_pem_x509_certificate(pem.encode()).public_key()


def _raw_query_param(raw_query: str, name: str) -> str | None:
    for part in raw_query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None


def verify_redirect_signature(data: SamlHttpInput, certs: tuple[str, ...]) -> None:
    """SAML bindings 3.4.4.1: the signature covers ``SAMLRequest=…&RelayState=…&SigAlg=…``
    with each value exactly as URL-encoded in the query string received."""
    alg = REDIRECT_SIG_ALGS.get(data.sig_alg)
    if alg is None:
        raise RequestRefused(
            "signature_invalid",
            f"Signature algorithm {data.sig_alg or '(none)'} is not accepted (use RSA-SHA256).",
            status=403,
        )
    parts = []
    for name in ("SAMLRequest", "RelayState", "SigAlg"):
        value = _raw_query_param(data.raw_query, name)
        if value is not None:
            parts.append(f"{name}={value}")
    signed = "&".join(parts).encode("ascii", errors="replace")
    try:
        signature = base64.b64decode("".join(data.signature.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RequestRefused("signature_invalid", "The Signature is not base64.", status=403)
    kind, digest = alg
    for pem in certs:
        key = _load_cert_public_key(pem)
        try:
            if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, signed, padding.PKCS1v15(), digest())
                return
            if kind == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, signed, ec.ECDSA(digest()))
                return
        except InvalidSignature:
            continue
    raise RequestRefused(
        "signature_invalid",
        "The request's signature does not verify with the SP's registered certificate.",
        status=403,
    )


def _requested_context(root: etree._Element) -> RequestedContext | None:
    rac = root.find(f"{{{SAMLP}}}RequestedAuthnContext")
    if rac is None:
        return None
    comparison = (rac.get("Comparison") or EXACT).strip()
    if comparison not in COMPARISONS:
        raise RequestRefused("malformed", f"Comparison={comparison!r} is not a SAML comparison.")
    refs = tuple((el.text or "").strip() for el in rac.findall(f"{{{SAML}}}AuthnContextClassRef"))
    if rac.findall(f"{{{SAML}}}AuthnContextDeclRef"):
        # We state class references only; a declaration request cannot be satisfied.
        refs += ("urn:idbridge:unsupported:AuthnContextDeclRef",)
    return RequestedContext(class_refs=tuple(r for r in refs if r), comparison=comparison)


def _choose_acs(root: etree._Element, sp: RegisteredSp, ctx: dict) -> str:
    url = root.get("AssertionConsumerServiceURL")
    index = root.get("AssertionConsumerServiceIndex")
    binding = root.get("ProtocolBinding")
    if binding and binding != BINDING_HTTP_POST:
        raise RequestRefused(
            "unsupported_binding",
            "The SP asked for the response over a binding idbridge does not use (only HTTP-POST).",
            **ctx,
        )
    posts = [e for e in sp.acs if e.binding == BINDING_HTTP_POST]
    if url is not None:
        if url not in {e.url for e in posts}:
            raise RequestRefused(
                "acs_not_registered",
                "The response address (AssertionConsumerServiceURL) is not registered for "
                "this service provider.",
                status=403,
                **ctx,
            )
        return url
    if index is not None:
        for e in posts:
            if e.index is not None and str(e.index) == index.strip():
                return e.url
        raise RequestRefused(
            "acs_not_registered",
            f"AssertionConsumerServiceIndex {index!r} is not registered for this service provider.",
            status=403,
            **ctx,
        )
    chosen = default_acs(posts)
    if chosen is None:
        raise RequestRefused(
            "acs_not_registered", "The SP has no HTTP-POST response address.", status=403, **ctx
        )
    return chosen.url


@dataclass(frozen=True)
class LogoutRequestInfo:
    request_id: str
    sp_entity_id: str
    name_id: str
    session_indexes: tuple[str, ...]
    relay_state: str
    binding: str
    xml: str = field(repr=False, default="")


@dataclass(frozen=True)
class _Checked:
    root: etree._Element
    raw: bytes
    issuer: str
    request_id: str
    sp: RegisteredSp
    signed: bool
    issue_instant: datetime


def _check_message(
    data: SamlHttpInput,
    local_name: str,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    now: datetime,
    clock_skew: timedelta,
) -> _Checked:
    """Steps 1-7 of the module docstring, common to AuthnRequest and LogoutRequest."""
    if len(data.relay_state) > MAX_RELAY_STATE:
        raise RequestRefused("malformed", "The RelayState is too long.")
    raw = decode_message(data)
    root = parse_request_xml(raw)

    if root.tag != f"{{{SAMLP}}}{local_name}":
        raise RequestRefused("malformed", f"This is not a SAML {local_name}.")
    if root.get("Version") != "2.0":
        raise RequestRefused("malformed", "Only SAML 2.0 requests are accepted.")
    request_id = (root.get("ID") or "").strip()
    if not request_id or len(request_id) > 256:
        raise RequestRefused("malformed", "The request has no usable ID.")
    issuer_el = root.find(f"{{{SAML}}}Issuer")
    issuer = (issuer_el.text or "").strip() if issuer_el is not None else ""
    if not issuer:
        raise RequestRefused("malformed", "The request names no Issuer.", request_id=request_id)
    ctx = {"sp_entity_id": issuer, "request_id": request_id}

    sp = lookup_sp(issuer)
    if sp is None:
        raise RequestRefused(
            "unknown_sp",
            f"The service provider {issuer} is not registered with idbridge.",
            status=403,
            **ctx,
        )
    if not sp.enabled:
        raise RequestRefused(
            "sp_disabled",
            f"The service provider {issuer} is not enabled in idbridge (switched off, or its "
            "metadata can no longer be used).",
            status=403,
            **ctx,
        )

    # --- signatures -------------------------------------------------------------
    xml_signature = root.find(f"{{{DSIG}}}Signature")
    has_query_signature = bool(data.signature)
    if data.binding == BINDING_HTTP_POST and has_query_signature:
        raise RequestRefused("malformed", "HTTP-POST requests carry no query signature.", **ctx)
    if sp.signatures_required and xml_signature is None and not has_query_signature:
        raise RequestRefused(
            "signature_required",
            "This service provider must sign its requests, and this one is not signed.",
            status=403,
            **ctx,
        )
    if (xml_signature is not None or has_query_signature) and not sp.signing_certs:
        raise RequestRefused(
            "signature_invalid",
            "The request is signed, but no signing certificate is registered for this SP.",
            status=403,
            **ctx,
        )
    if has_query_signature:
        try:
            verify_redirect_signature(data, sp.signing_certs)
        except RequestRefused as exc:
            exc.sp_entity_id, exc.request_id = issuer, request_id
            raise
    if xml_signature is not None:
        try:
            verify_enveloped(root, [load_public_key(pem) for pem in sp.signing_certs])
        except XmlSignatureError as exc:
            raise RequestRefused(
                "signature_invalid",
                f"The request's signature is not valid: {exc}.",
                status=403,
                **ctx,
            )
    signed = xml_signature is not None or has_query_signature

    # --- where it was sent, when ------------------------------------------------
    destination = root.get("Destination")
    if destination is not None and destination.strip() != data.endpoint_url:
        raise RequestRefused(
            "wrong_destination",
            "The request was meant for another address (Destination).",
            status=403,
            **ctx,
        )
    if signed and destination is None:
        raise RequestRefused(
            "wrong_destination", "A signed request must name its Destination.", **ctx
        )
    try:
        issue_instant = parse_xs_datetime(root.get("IssueInstant"))
    except RequestRefused as exc:
        exc.sp_entity_id, exc.request_id = issuer, request_id
        raise
    if abs(now - issue_instant) > clock_skew:
        raise RequestRefused(
            "stale",
            "The request is too old or dated in the future (IssueInstant outside "
            f"{int(clock_skew.total_seconds())} seconds of now). Go back and try again.",
            **ctx,
        )
    return _Checked(root, raw, issuer, request_id, sp, signed, issue_instant)


def _claim(checked: _Checked, claim_request_id, clock_skew: timedelta) -> None:
    keep_until = checked.issue_instant + clock_skew + timedelta(minutes=1)
    if not claim_request_id(checked.issuer, checked.request_id, keep_until):
        raise RequestRefused(
            "replayed",
            "This request was already used.",
            status=403,
            sp_entity_id=checked.issuer,
            request_id=checked.request_id,
        )


def validate_authn_request(
    data: SamlHttpInput,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    claim_request_id: Callable[[str, str, datetime], bool],
    now: datetime,
    clock_skew: timedelta,
) -> AuthnRequestInfo:
    """Validate an AuthnRequest (see the module docstring); raise :class:`RequestRefused`.

    ``claim_request_id(sp_entity_id, request_id, keep_until)`` records the ID and
    returns False when it was already recorded; it is called last, so a request refused
    for another reason does not use up its ID.
    """
    checked = _check_message(
        data, "AuthnRequest", lookup_sp=lookup_sp, now=now, clock_skew=clock_skew
    )
    root = checked.root
    ctx = {"sp_entity_id": checked.issuer, "request_id": checked.request_id}
    acs_url = _choose_acs(root, checked.sp, ctx)
    try:
        force_authn = parse_xs_boolean(root.get("ForceAuthn"), "ForceAuthn")
        is_passive = parse_xs_boolean(root.get("IsPassive"), "IsPassive")
        requested = _requested_context(root)
    except RequestRefused as exc:
        exc.sp_entity_id, exc.request_id = checked.issuer, checked.request_id
        raise
    if root.find(f"{{{SAML}}}Subject") is not None:
        raise RequestRefused(
            "unsupported", "Requests that name a Subject are not supported.", **ctx
        )
    name_id_policy = root.find(f"{{{SAMLP}}}NameIDPolicy")
    name_id_format = name_id_policy.get("Format") if name_id_policy is not None else None

    _claim(checked, claim_request_id, clock_skew)
    return AuthnRequestInfo(
        request_id=checked.request_id,
        sp_entity_id=checked.issuer,
        issue_instant=checked.issue_instant,
        acs_url=acs_url,
        relay_state=data.relay_state,
        force_authn=force_authn,
        is_passive=is_passive,
        requested=requested,
        name_id_format=name_id_format,
        signed=checked.signed,
        binding=data.binding,
        xml=checked.raw.decode("utf-8", errors="replace"),
    )


def validate_logout_request(
    data: SamlHttpInput,
    *,
    lookup_sp: Callable[[str], RegisteredSp | None],
    claim_request_id: Callable[[str, str, datetime], bool],
    now: datetime,
    clock_skew: timedelta,
) -> LogoutRequestInfo:
    """The same checks for a ``samlp:LogoutRequest`` (Single Logout from an SP)."""
    checked = _check_message(
        data, "LogoutRequest", lookup_sp=lookup_sp, now=now, clock_skew=clock_skew
    )
    name_id = checked.root.find(f"{{{SAML}}}NameID")
    if name_id is None or not (name_id.text or "").strip():
        raise RequestRefused(
            "malformed",
            "The logout request names no NameID.",
            sp_entity_id=checked.issuer,
            request_id=checked.request_id,
        )
    _claim(checked, claim_request_id, clock_skew)
    return LogoutRequestInfo(
        request_id=checked.request_id,
        sp_entity_id=checked.issuer,
        name_id=name_id.text.strip(),
        session_indexes=tuple(
            (el.text or "").strip() for el in checked.root.findall(f"{{{SAMLP}}}SessionIndex")
        ),
        relay_state=data.relay_state,
        binding=data.binding,
        xml=checked.raw.decode("utf-8", errors="replace"),
    )
