"""The signed SSO Response, built directly as one lxml tree and serialized once.

pysaml2 builds the same Response as Python objects, turns the assertion into text,
parses that text to sign it, turns the signed text back into objects, and does it all
again for the Response: about half of an SSO answer's CPU went there. Here the Response
is one tree: the Assertion is signed in place (enveloped, exclusive C14N, RSA-SHA256,
SHA-256, the signature right after its Issuer), encrypted in place when the SP asks for
it (AES-256-GCM, RSA-OAEP: :func:`idbridge.saml_crypto.encrypt_element`), then the
Response is signed the same way, and the text is made once.

What it contains is what pysaml2 put there (tests hold it to a pysaml2 SP): the Issuer
(entity format), Status Success; an Assertion with the NameID, a bearer
SubjectConfirmation (Recipient, InResponseTo, NotOnOrAfter), Conditions (NotBefore =
issue instant, NotOnOrAfter, the SP as the one Audience), an AuthnStatement
(AuthnInstant = when the person really verified, a fresh SessionIndex, the class
reference) and the released attributes as ``xs:string`` values with URI names.

No Django imports.

    >>> _instant(datetime(2026, 3, 2, 9, 0, 5, 999, tzinfo=UTC))
    '2026-03-02T09:00:05Z'
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import xmlsec
from lxml import etree
from saml2.sigver import pre_encryption_part

from idbridge.saml_crypto import encrypt_element, parse_xml, sign_element

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
ENTITY_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
URI_NAME_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"


@dataclass(frozen=True)
class Attribute:
    name: str  # the SAML attribute name (a URI)
    friendly_name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Issued:
    """What the SSO flow answers with: the XML and the Response's ID (for the audit)."""

    xml: str
    response_id: str


def new_id() -> str:
    """An XML ID (an NCName): ``id-`` and 128 random bits, base64url (not hex: a run of
    nine decimal digits would be redacted as an SSN where the audit log records it)."""
    return "id-" + secrets.token_urlsafe(16)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _el(parent, namespace: str, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{namespace}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _issuer(parent, issuer: str) -> None:
    _el(parent, SAML, "Issuer", issuer, Format=ENTITY_FORMAT)


def _signature_template(element, element_id: str) -> None:
    """An enveloped RSA-SHA256 signature template right after ``element``'s Issuer."""
    signature = xmlsec.template.create(
        element, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256, ns="ds"
    )
    reference = xmlsec.template.add_reference(
        signature, xmlsec.constants.TransformSha256, uri=f"#{element_id}"
    )
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    element.insert(1, signature)


@dataclass(frozen=True)
class AssertionInput:
    """Everything the assertion says, as plain data."""

    issuer: str
    in_response_to: str
    destination: str  # the ACS URL: the Response's Destination and the bearer Recipient
    audience: str  # the SP's entity ID
    name_id: str
    name_id_format: str
    name_qualifier: str
    sp_name_qualifier: str
    class_ref: str
    authn_instant: datetime
    attributes: tuple[Attribute, ...]
    lifetime: timedelta


def _subject(assertion, data: AssertionInput, not_on_or_after: str) -> None:
    subject = _el(assertion, SAML, "Subject")
    _el(
        subject,
        SAML,
        "NameID",
        data.name_id,
        NameQualifier=data.name_qualifier,
        SPNameQualifier=data.sp_name_qualifier,
        Format=data.name_id_format,
    )
    confirmation = _el(subject, SAML, "SubjectConfirmation", Method=BEARER)
    _el(
        confirmation,
        SAML,
        "SubjectConfirmationData",
        NotOnOrAfter=not_on_or_after,
        Recipient=data.destination,
        InResponseTo=data.in_response_to,
    )


def _statements(assertion, data: AssertionInput) -> None:
    statement = _el(assertion, SAML, "AuthnStatement", AuthnInstant=_instant(data.authn_instant))
    statement.set("SessionIndex", new_id())
    context = _el(statement, SAML, "AuthnContext")
    _el(context, SAML, "AuthnContextClassRef", data.class_ref)
    if not data.attributes:
        return
    attributes = _el(assertion, SAML, "AttributeStatement")
    for attribute in data.attributes:
        element = _el(
            attributes,
            SAML,
            "Attribute",
            Name=attribute.name,
            NameFormat=URI_NAME_FORMAT,
            FriendlyName=attribute.friendly_name,
        )
        for value in attribute.values:
            item = etree.SubElement(element, f"{{{SAML}}}AttributeValue", nsmap={"xs": XS})
            item.set(f"{{{XSI}}}type", "xs:string")
            item.text = value


def _assertion(data: AssertionInput, now: datetime):
    """The assertion as a document of its own (its namespaces declared on it: an
    encrypted assertion is read on its own)."""
    assertion_id = new_id()
    issued, until = _instant(now), _instant(now + data.lifetime)
    assertion = etree.Element(
        f"{{{SAML}}}Assertion",
        {"Version": "2.0", "ID": assertion_id, "IssueInstant": issued},
        nsmap={"saml": SAML, "xsi": XSI},
    )
    _issuer(assertion, data.issuer)
    _signature_template(assertion, assertion_id)
    _subject(assertion, data, until)
    conditions = _el(assertion, SAML, "Conditions", NotBefore=issued, NotOnOrAfter=until)
    _el(_el(conditions, SAML, "AudienceRestriction"), SAML, "Audience", data.audience)
    _statements(assertion, data)
    return assertion


def signed_response(
    data: AssertionInput,
    key: xmlsec.Key,
    *,
    encrypt_cert_pem: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """The Response with its signed Assertion (encrypted to ``encrypt_cert_pem`` when
    given), itself signed with ``key`` (an xmlsec key holding its certificate)."""
    now = now or datetime.now(UTC)
    response_id = new_id()
    nsmap = {"samlp": SAMLP, "saml": SAML, "xsi": XSI}
    response = etree.Element(
        f"{{{SAMLP}}}Response",
        {
            "ID": response_id,
            "InResponseTo": data.in_response_to,
            "Version": "2.0",
            "IssueInstant": _instant(now),
            "Destination": data.destination,
        },
        nsmap=nsmap,
    )
    _issuer(response, data.issuer)
    _signature_template(response, response_id)
    _el(_el(response, SAMLP, "Status"), SAMLP, "StatusCode", Value=SUCCESS)
    assertion = _assertion(data, now)
    sign_element(assertion, assertion, key)
    if encrypt_cert_pem:
        _el(response, SAML, "EncryptedAssertion").append(_encrypt(assertion, encrypt_cert_pem))
    else:
        response.append(assertion)
    sign_element(response, response, key)
    return Issued(xml=etree.tostring(response, encoding="unicode"), response_id=response_id)


def _encrypt(assertion, cert_pem: str):
    """The signed assertion encrypted to ``cert_pem``: an ``xenc:EncryptedData``."""
    body = "".join(line for line in cert_pem.strip().splitlines() if "-----" not in line)
    template = parse_xml(str(pre_encryption_part(encrypt_cert=body)))
    return encrypt_element(assertion, template, cert_pem.encode())
