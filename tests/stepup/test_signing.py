"""In-process signing (python-xmlsec): RSA-SHA256 everywhere, and other verifiers agree.

No database: the pysaml2 server is built from plain data (``stepup.saml.idp``).
"""

import base64
import shutil
from datetime import UTC, datetime

import pytest
from lxml import etree
from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.sigver import CryptoBackendXmlSec1, pre_signature_part

from idbridge import saml_crypto
from idbridge.saml_crypto import (
    DIGEST_SHA256,
    SIG_RSA_SHA256,
    InProcessCryptoBackend,
    XmlSignatureError,
    load_public_key,
    parse_xml,
    verify_enveloped,
)
from stepup.policy import REFEDS_MFA
from stepup.saml.idp import IdpSpec, authn_response, build_server, identity_for, name_id_for
from stepup.saml.keys import generate_key_pair
from tests.stepup.conftest import SP_ACS, SP_ENTITY_ID, sp_config, sp_metadata

DS = "{http://www.w3.org/2000/09/xmldsig#}"
BASE = "https://idbridge.test"
AUTHN_INSTANT = datetime(2026, 3, 2, 8, 55, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def idp_keys():
    return generate_key_pair("idbridge.test")


@pytest.fixture(scope="module")
def next_keys():
    return generate_key_pair("idbridge.test")


def make_idp(idp_keys, sp_key_files, next_keys=None):
    return build_server(
        IdpSpec(
            entity_id=f"{BASE}/idp/metadata",
            sso_redirect_url=f"{BASE}/idp/sso/redirect",
            sso_post_url=f"{BASE}/idp/sso/post",
            slo_redirect_url=f"{BASE}/idp/slo/redirect",
            slo_post_url=f"{BASE}/idp/slo/post",
            signing_key_pem=idp_keys.private_key_pem,
            signing_cert_pem=idp_keys.certificate_pem,
            next_cert_pem=next_keys.certificate_pem if next_keys else None,
            sp_metadata=(sp_metadata(sp_key_files),),
            class_refs=(REFEDS_MFA,),
        )
    )


@pytest.fixture(scope="module")
def idp(idp_keys, sp_key_files):
    return make_idp(idp_keys, sp_key_files)


def respond(idp, in_response_to="id-req-1", **kw):
    return authn_response(
        idp,
        in_response_to=in_response_to,
        destination=SP_ACS,
        sp_entity_id=SP_ENTITY_ID,
        name_id=name_id_for(
            fmt="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            secret=b"k" * 32,
            idp_entity_id=idp.spec.entity_id,
            sp_entity_id=SP_ENTITY_ID,
            subject_id="staff-7",
            email="rosa@district.example",
        ),
        identity=identity_for(
            {"email": "rosa@district.example", "roles": ["Teacher"]}, ["email", "roles"]
        ),
        class_ref=REFEDS_MFA,
        authn_instant=AUTHN_INSTANT,
        **kw,
    ).xml


def test_response_and_assertion_are_signed_with_rsa_sha256_and_sha256_digests(idp):
    root = etree.fromstring(respond(idp).encode())
    methods = [e.get("Algorithm") for e in root.iter(f"{DS}SignatureMethod")]
    digests = [e.get("Algorithm") for e in root.iter(f"{DS}DigestMethod")]
    assert methods == [SIG_RSA_SHA256, SIG_RSA_SHA256]
    assert digests == [DIGEST_SHA256, DIGEST_SHA256]
    signed = [sig.getparent().tag.rsplit("}", 1)[1] for sig in root.iter(f"{DS}Signature")]
    assert signed == ["Response", "Assertion"]


def test_authn_instant_is_the_given_verification_time(idp):
    assert 'AuthnInstant="2026-03-02T08:55:12Z"' in respond(idp)


XMLSEC1 = shutil.which("xmlsec1")
needs_xmlsec1 = pytest.mark.skipif(
    XMLSEC1 is None, reason="the xmlsec1 program (a second verifier) is not installed"
)


@needs_xmlsec1
def test_the_xmlsec1_program_verifies_the_in_process_signatures(idp, idp_keys, tmp_path):
    cert = tmp_path / "idp.crt"
    cert.write_text(idp_keys.certificate_pem)
    xml = respond(idp)
    backend = CryptoBackendXmlSec1(XMLSEC1)
    root = etree.fromstring(xml.encode())
    assertion_id = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion").get("ID")
    assert backend.validate_signature(
        xml, str(cert), "pem", "urn:oasis:names:tc:SAML:2.0:protocol:Response", root.get("ID")
    )
    assert backend.validate_signature(
        xml, str(cert), "pem", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", assertion_id
    )


def test_a_pysaml2_sp_accepts_the_response(idp, sp_key_files):
    client = Saml2Client(sp_config(sp_key_files, idp_metadata=idp.metadata_xml))
    reqid, _ = client.create_authn_request(idp.spec.sso_post_url)
    encoded = base64.b64encode(respond(idp, in_response_to=reqid).encode()).decode()
    parsed = client.parse_authn_request_response(encoded, BINDING_HTTP_POST, {reqid: "/"})
    assert parsed.ava["mail"] == ["rosa@district.example"]
    assert parsed.authn_info()[0][0] == REFEDS_MFA


def test_python3_saml_verifies_the_signatures(idp, idp_keys):
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    xml = respond(idp)
    assert OneLogin_Saml2_Utils.validate_sign(
        xml, idp_keys.certificate_pem, xpath="/samlp:Response/ds:Signature"
    )
    assert OneLogin_Saml2_Utils.validate_sign(
        xml, idp_keys.certificate_pem, xpath="/samlp:Response/saml:Assertion/ds:Signature"
    )
    tampered = xml.replace("rosa@district.example", "mallory@district.example")
    assert not OneLogin_Saml2_Utils.validate_sign(
        tampered, idp_keys.certificate_pem, xpath="/samlp:Response/ds:Signature"
    )


def test_the_private_key_is_parsed_once_per_process(idp_keys, monkeypatch):
    calls = []
    original = saml_crypto.load_private_key

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(saml_crypto, "load_private_key", counting)
    backend = InProcessCryptoBackend(idp_keys.private_key_pem, idp_keys.certificate_pem)
    for n in range(5):
        backend.sign_statement(
            _template(f"id-{n}"), "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", None, f"id-{n}"
        )
    assert len(calls) == 1


def _template(element_id: str, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256) -> str:
    signature = pre_signature_part(element_id, sign_alg=sign_alg, digest_alg=digest_alg)
    return (
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{element_id}" Version="2.0" IssueInstant="2026-03-02T09:00:00Z">'
        "<saml:Issuer>https://idbridge.test</saml:Issuer>"
        f"{signature.to_string().decode()}"
        "<saml:Subject><saml:NameID>rosa</saml:NameID></saml:Subject></saml:Assertion>"
    )


def _signed(idp_keys, element_id="id-a", **kw) -> etree._Element:
    backend = InProcessCryptoBackend(idp_keys.private_key_pem, idp_keys.certificate_pem)
    xml = backend.sign_statement(
        _template(element_id, **kw),
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        None,
        element_id,
    )
    return parse_xml(xml)


def test_verification_accepts_the_registered_key_only(idp_keys, next_keys):
    root = _signed(idp_keys)
    verify_enveloped(root, [load_public_key(idp_keys.certificate_pem)])
    with pytest.raises(XmlSignatureError, match="does not verify"):
        verify_enveloped(root, [load_public_key(next_keys.certificate_pem)])


def test_verification_refuses_changed_content(idp_keys):
    root = _signed(idp_keys)
    root.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID").text = "mallory"
    with pytest.raises(XmlSignatureError):
        verify_enveloped(root, [load_public_key(idp_keys.certificate_pem)])


def test_verification_refuses_a_signature_that_points_elsewhere(idp_keys):
    root = _signed(idp_keys)
    root.set("ID", "id-other")  # the Reference still says #id-a
    with pytest.raises(XmlSignatureError, match="Reference URI"):
        verify_enveloped(root, [load_public_key(idp_keys.certificate_pem)])


def test_verification_refuses_sha1(idp_keys, tmp_path):
    key = tmp_path / "k.pem"
    key.write_text(idp_keys.private_key_pem)
    sha1 = InProcessCryptoBackend().sign_statement(
        _template(
            "id-s",
            sign_alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            digest_alg="http://www.w3.org/2000/09/xmldsig#sha1",
        ),
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        str(key),
        "id-s",
    )
    with pytest.raises(XmlSignatureError):
        verify_enveloped(parse_xml(sha1), [load_public_key(idp_keys.certificate_pem)])


def test_parse_xml_refuses_a_doctype():
    with pytest.raises(XmlSignatureError):
        parse_xml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')


def test_metadata_is_signed_and_publishes_the_next_key_during_rollover(
    idp_keys, next_keys, sp_key_files
):
    from stepup.saml.keys import cert_body

    rolled = make_idp(idp_keys, sp_key_files, next_keys=next_keys)
    root = parse_xml(rolled.metadata_xml)
    certs = [
        el.text
        for el in root.iter(f"{DS}X509Certificate")
        if el.getparent().getparent().getparent().tag.endswith("KeyDescriptor")
    ]
    assert certs == [cert_body(idp_keys.certificate_pem), cert_body(next_keys.certificate_pem)]
    verify_enveloped(root, [load_public_key(idp_keys.certificate_pem)])
    assert SIG_RSA_SHA256 in rolled.metadata_xml
    assert "rsa-sha1" not in rolled.metadata_xml  # algorithms advertised: what we use


def test_encrypted_assertions_use_aes_gcm_and_the_sp_can_decrypt_them(idp, sp_key_files):
    client = Saml2Client(sp_config(sp_key_files, idp_metadata=idp.metadata_xml))
    reqid, _ = client.create_authn_request(idp.spec.sso_post_url)
    xml = respond(idp, in_response_to=reqid, encrypt_cert_pem=sp_key_files.pair.certificate_pem)
    assert "EncryptedAssertion" in xml and "aes256-gcm" in xml
    assert "rosa@district.example" not in xml
    parsed = client.parse_authn_request_response(
        base64.b64encode(xml.encode()).decode(), BINDING_HTTP_POST, {reqid: "/"}
    )
    assert parsed.ava["mail"] == ["rosa@district.example"]


def test_response_ids_survive_the_audit_logs_redaction():
    """IDs are recorded in the audit log, whose safety net redacts nine-digit runs (SSNs)."""
    from idbridge.core.logging import redact_text
    from stepup.saml.assertion import new_id

    ids = [new_id() for _ in range(5000)]
    assert [i for i in ids if redact_text(i) != i] == []
    assert len(set(ids)) == len(ids)
