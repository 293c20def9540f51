"""SOAP 1.1 document/literal envelopes of the Identity Service, with lxml. No Django.

Parsing is defensive: no DTDs, no entity expansion, no network, a size cap; any
``<!DOCTYPE`` (the carrier of XXE and billion-laughs payloads) is refused with a fault
before anything in the document is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
UT_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{UT_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{UT_PROFILE}#PasswordDigest"
TNS = "urn:idbridge:campus-sandbox:identity:1"
MAX_BYTES = 256 * 1024

NSMAP = {"soap": SOAP_ENV, "tns": TNS, "wsse": WSSE}


class SoapFault(Exception):
    """A fault to answer with.

    ``code`` is the SOAP 1.1 faultcode QName (``wsse:FailedAuthentication``,
    ``tns:SessionExpired``, ...); ``detail_code`` is the stable machine-readable reason in
    the fault detail (``InvalidCredentials``, ``SessionExpired``, ...).
    """

    def __init__(
        self,
        code: str,
        detail_code: str,
        message: str,
        *,
        http_status: int = 500,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.detail_code = detail_code
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after


def malformed(message: str) -> SoapFault:
    return SoapFault("soap:Client", "MalformedRequest", message)


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    password_type: str  # PASSWORD_TEXT or PASSWORD_DIGEST
    nonce: str | None = None  # base64 text as sent
    created: str | None = None  # as sent; the digest covers this exact text

    @property
    def is_digest(self) -> bool:
        return self.password_type == PASSWORD_DIGEST


@dataclass(frozen=True)
class SoapRequest:
    operation: str  # local name of the body element, e.g. "GetPersonRequest"
    values: dict[str, str] = field(default_factory=dict)  # its child elements' text
    token: UsernameToken | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_request(data: bytes) -> SoapRequest:
    if len(data) > MAX_BYTES:
        raise malformed("The request is too large.")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise malformed("Document type declarations are not allowed.")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise malformed(f"The request is not well-formed XML: {exc.msg}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise malformed("Document type declarations are not allowed.")
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault(
            "soap:VersionMismatch", "VersionMismatch", "This service speaks SOAP 1.1 only."
        )
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise malformed("The request is not a SOAP 1.1 envelope.")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise malformed("The envelope has no Body.")
    payload = [child for child in body if isinstance(child.tag, str)]
    if len(payload) != 1:
        raise malformed("The Body must hold exactly one element.")
    request = payload[0]
    values = {}
    for child in request:
        if isinstance(child.tag, str):
            values[etree.QName(child).localname] = (child.text or "").strip()
    header = root.find(f"{{{SOAP_ENV}}}Header")
    return SoapRequest(
        operation=etree.QName(request).localname,
        values=values,
        token=_username_token(header),
    )


def _username_token(header) -> UsernameToken | None:
    if header is None:
        return None
    token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return None
    username = token.findtext(f"{{{WSSE}}}Username")
    password_el = token.find(f"{{{WSSE}}}Password")
    if username is None or password_el is None:
        raise SoapFault(
            "wsse:InvalidSecurityToken",
            "InvalidSecurityToken",
            "The UsernameToken needs a Username and a Password.",
        )
    password_type = password_el.get("Type") or PASSWORD_TEXT
    if password_type not in (PASSWORD_TEXT, PASSWORD_DIGEST):
        raise SoapFault(
            "wsse:UnsupportedSecurityToken",
            "UnsupportedSecurityToken",
            "Password Type must be PasswordText or PasswordDigest.",
        )
    nonce = token.findtext(f"{{{WSSE}}}Nonce")
    created = token.findtext(f"{{{WSU}}}Created")
    return UsernameToken(
        username=username.strip(),
        password=(password_el.text or "").strip(),
        password_type=password_type,
        nonce=nonce.strip() if nonce else None,
        created=created.strip() if created else None,
    )


# --- Building responses -------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _append(parent, name: str, value) -> None:
    """Append ``<tns:name>``; dicts nest, lists repeat, None is left out (minOccurs=0)."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _append(parent, name, item)
        return
    element = etree.SubElement(parent, f"{{{TNS}}}{name}")
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    else:
        element.text = _text(value)


def _envelope():
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=NSMAP)
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    return envelope, body


def build_response(name: str, content: dict) -> bytes:
    """``build_response("AuthenticateResponse", {"sessionID": ..., "expiresAt": ...})``."""
    envelope, body = _envelope()
    _append(body, name, content)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def build_fault(fault: SoapFault) -> bytes:
    envelope, body = _envelope()
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    # faultcode, faultstring and detail are unqualified in SOAP 1.1.
    etree.SubElement(node, "faultcode").text = fault.code
    etree.SubElement(node, "faultstring").text = fault.message
    detail = etree.SubElement(node, "detail")
    _append(
        detail,
        "CampusFault",
        {"code": fault.detail_code, "retryAfterSeconds": fault.retry_after},
    )
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
