"""Hand-made SAML messages for attacking the IdP through the Django test client.

Messages are built as text (so that they can be bent: comments, a second element, a
DOCTYPE), signed with the test SP's key when asked (query signatures by SAML bindings
§3.4.4.1, enveloped XML signatures with xmlsec) and sent to the IdP's endpoints.
"""

from __future__ import annotations

import base64
import uuid
import zlib
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from idbridge.audit.models import AuditEntry
from tests.stepup.conftest import RSA_SHA256, SP_ACS, SP_ENTITY_ID, signed_in_session

SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
NS = f'xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}"'
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
REFUSED_TITLE = "This sign-in request was refused"


@pytest.fixture(name="idp")
def idp_client(db, settings, client):
    """The IdP behind the Django test client, with a clean refusal counter."""
    from django.core.cache import cache

    from stepup.runtime import forget_cached_runtime

    settings.PUBLIC_BASE_URL = "http://testserver"
    cache.clear()
    forget_cached_runtime()
    yield client
    forget_cached_runtime()


def endpoint(name: str) -> str:
    from stepup.runtime import endpoint_url

    return endpoint_url(name)


def new_id() -> str:
    return f"_{uuid.uuid4().hex}"


def instant(moment: datetime | None = None) -> str:
    return f"{moment or datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"


def authn_xml(
    *,
    request_id: str | None = None,
    issuer: str = f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>",
    destination: str | None = "sso_redirect",
    issued: datetime | None = None,
    attrs: str = f'AssertionConsumerServiceURL="{SP_ACS}"',
    body: str = "",
    prolog: str = "",
) -> str:
    """An AuthnRequest; ``issuer`` is the Issuer element as written, ``destination`` an
    endpoint name (or None for none)."""
    dest = f' Destination="{endpoint(destination)}"' if destination else ""
    return (
        f'{prolog}<samlp:AuthnRequest {NS} ID="{request_id or new_id()}" Version="2.0" '
        f'IssueInstant="{instant(issued)}"{dest} {attrs}>{issuer}{body}</samlp:AuthnRequest>'
    )


def logout_xml(
    *,
    name_id: str,
    request_id: str | None = None,
    issuer: str = f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>",
    destination: str = "slo_redirect",
    session_index: str = "",
) -> str:
    """A LogoutRequest naming ``name_id`` (written as is: it may hold markup)."""
    index = f"<samlp:SessionIndex>{session_index}</samlp:SessionIndex>" if session_index else ""
    return (
        f'<samlp:LogoutRequest {NS} ID="{request_id or new_id()}" Version="2.0" '
        f'IssueInstant="{instant()}" Destination="{endpoint(destination)}">{issuer}'
        f'<saml:NameID Format="{PERSISTENT}">{name_id}</saml:NameID>{index}'
        "</samlp:LogoutRequest>"
    )


def deflated(xml: str | bytes) -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = xml.encode() if isinstance(xml, str) else xml
    return base64.b64encode(compressor.compress(data) + compressor.flush()).decode()


def b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def query(xml: str, *, relay_state: str = "", key_pem: str | None = None) -> str:
    """The HTTP-Redirect query string for ``xml``; signed with ``key_pem`` when given."""
    parts = [f"SAMLRequest={quote(deflated(xml), safe='')}"]
    if relay_state:
        parts.append(f"RelayState={quote(relay_state, safe='')}")
    if key_pem is None:
        return "&".join(parts)
    parts.append(f"SigAlg={quote(RSA_SHA256, safe='')}")
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    signature = key.sign("&".join(parts).encode(), padding.PKCS1v15(), hashes.SHA256())
    return "&".join(parts) + f"&Signature={quote(base64.b64encode(signature), safe='')}"


def sign_enveloped(xml: str, pair) -> str:
    """``xml`` with an enveloped RSA-SHA256 signature of its root, after the Issuer."""
    import xmlsec

    from idbridge.saml_crypto import load_private_key, parse_xml, sign_element

    root = parse_xml(xml)
    template = xmlsec.template.create(
        root, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256
    )
    ref = xmlsec.template.add_reference(
        template, xmlsec.constants.TransformSha256, uri=f"#{root.get('ID')}"
    )
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
    root.insert(1, template)
    sign_element(root, root, load_private_key(pair.private_key_pem, pair.certificate_pem))
    return etree.tostring(root).decode()


def sign_in(client) -> None:
    """A signed-in SSO session in the test client."""
    client.cookies["sessionid"] = signed_in_session()


def last_refusal() -> AuditEntry | None:
    return AuditEntry.objects.filter(action="stepup.request_refused").order_by("-id").first()


def assert_refused(response, code: str, *, status: int = 400, text: str = "") -> None:
    """A readable refusal page with ``status``, audited with ``code``, no traceback."""
    body = response.content.decode()
    assert response.status_code == status, (response.status_code, body[:800])
    assert REFUSED_TITLE in body and text in body
    assert "Traceback" not in body
    entry = last_refusal()
    assert entry is not None and entry.details["code"] == code, entry and entry.details


def assert_answered(response) -> str:
    """A signed Response posted back to the SP; its XML."""
    from tests.stepup.conftest import decode_response, saml_form

    body = response.content.decode()
    assert response.status_code == 200 and "SAMLResponse" in body, body[:800]
    return decode_response(saml_form(type("R", (), {"text": body})()))
