"""pysaml2's crypto in-process (idbridge.saml_crypto): encryption and decryption of
assertions, and the security contexts pysaml2 builds, with no ``xmlsec1`` program.

No database: plain XML and key pairs.
"""

import base64
import re
import shutil
import subprocess
import sys

import pytest
import saml2.sigver
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree
from saml2.sigver import DecryptError, SecurityContext, pre_encryption_part

from idbridge import saml_crypto
from idbridge.saml_crypto import AES256_GCM, RSA_OAEP_MGF1P, InProcessCryptoBackend
from stepup.saml.keys import cert_body, generate_key_pair

XENC = "http://www.w3.org/2001/04/xmlenc#"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
RESPONSE = (
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    f'xmlns:saml="{SAML}" ID="id-response" Version="2.0" '
    'IssueInstant="2026-03-02T09:00:00Z"><saml:Issuer>https://idbridge.test</saml:Issuer>'
    '<saml:EncryptedAssertion><saml:Assertion ID="id-assertion" Version="2.0" '
    'IssueInstant="2026-03-02T09:00:00Z"><saml:Issuer>https://idbridge.test</saml:Issuer>'
    "<saml:Subject><saml:NameID>rosa.diaz@district.example</saml:NameID></saml:Subject>"
    "</saml:Assertion></saml:EncryptedAssertion></samlp:Response>"
)


@pytest.fixture(scope="module")
def campus():
    """The recipient (an SP): its key pair, as files the way pysaml2 hands them around."""
    return generate_key_pair("campus.test")


@pytest.fixture
def campus_files(campus, tmp_path):
    key, cert = tmp_path / "campus.key", tmp_path / "campus.crt"
    key.write_text(campus.private_key_pem)
    cert.write_text(campus.certificate_pem)
    return str(key), str(cert)


def encrypted(campus, cert_file: str) -> str:
    template = pre_encryption_part(encrypt_cert=cert_body(campus.certificate_pem))
    return InProcessCryptoBackend().encrypt_assertion(RESPONSE, cert_file, template, "des-192")


def cipher_value(node) -> bytes:
    return base64.b64decode(node.find(f"{{{XENC}}}CipherData/{{{XENC}}}CipherValue").text)


def test_an_assertion_encrypted_to_the_sp_decrypts_with_its_key(campus, campus_files):
    key_file, cert_file = campus_files
    xml = encrypted(campus, cert_file)
    assert "rosa.diaz" not in xml and "<saml:Assertion" not in xml
    methods = [
        e.get("Algorithm") for e in etree.fromstring(xml).iter(f"{{{XENC}}}EncryptionMethod")
    ]
    assert methods == [AES256_GCM, RSA_OAEP_MGF1P]  # not pysaml2's 3DES, whatever it asked

    decrypted = InProcessCryptoBackend().decrypt(xml, key_file)
    root = etree.fromstring(decrypted)
    assertion = root.find(f"{{{SAML}}}EncryptedAssertion/{{{SAML}}}Assertion")
    assert assertion.get("ID") == "id-assertion"
    assert assertion.findtext(f".//{{{SAML}}}NameID") == "rosa.diaz@district.example"
    assert root.find(f".//{{{XENC}}}EncryptedData") is None


def test_the_ciphertext_is_standard_xml_encryption_1_1(campus, campus_files):
    """Decrypted without libxmlsec1: RSA-OAEP (MGF1, SHA-1) session key, then AES-256-GCM
    with the 12-byte IV in front and the 16-byte tag at the end (XML Encryption 1.1)."""
    xml = encrypted(campus, campus_files[1])
    data = etree.fromstring(xml).find(f".//{{{XENC}}}EncryptedData")
    encrypted_key = data.find(f"{{{DS}}}KeyInfo/{{{XENC}}}EncryptedKey")
    private_key = serialization.load_pem_private_key(campus.private_key_pem.encode(), None)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    session_key = private_key.decrypt(cipher_value(encrypted_key), oaep)
    assert len(session_key) == 32
    blob = cipher_value(data)
    plaintext = AESGCM(session_key).decrypt(blob[:12], blob[12:], None)
    assert plaintext.startswith(b"<saml:Assertion") and b"rosa.diaz" in plaintext
    # The recipient's certificate names the key it was encrypted to.
    certificate = encrypted_key.findtext(f".//{{{DS}}}X509Certificate")
    assert certificate == cert_body(campus.certificate_pem)


def _tamper(xml: str, where: str) -> str:
    root = etree.fromstring(xml)
    data = root.find(f".//{{{XENC}}}EncryptedData")
    node = data if where == "content" else data.find(f".//{{{XENC}}}EncryptedKey")
    value = node.find(f"{{{XENC}}}CipherData/{{{XENC}}}CipherValue")
    blob = bytearray(base64.b64decode(value.text))
    blob[len(blob) // 2] ^= 0x01
    value.text = base64.b64encode(bytes(blob)).decode()
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("where", ["content", "key"])
def test_a_tampered_ciphertext_is_refused_cleanly(campus, campus_files, where):
    key_file, cert_file = campus_files
    tampered = _tamper(encrypted(campus, cert_file), where)
    with pytest.raises(DecryptError):
        InProcessCryptoBackend().decrypt(tampered, key_file)
    # pysaml2's context tries each key, then gives up with its own error, not a crash.
    context = SecurityContext(InProcessCryptoBackend(), enc_key_files=[key_file])
    with pytest.raises(DecryptError, match="No key was able to decrypt"):
        context.decrypt(tampered)


def test_only_the_recipients_key_decrypts(campus, campus_files, tmp_path):
    other = tmp_path / "other.key"
    other.write_text(generate_key_pair("other.test").private_key_pem)
    with pytest.raises(DecryptError):
        InProcessCryptoBackend().decrypt(encrypted(campus, campus_files[1]), str(other))


@pytest.mark.parametrize(
    ("node", "algorithm"),
    [
        ("content", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"),  # padding oracle
        ("content", "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"),
        ("key", "http://www.w3.org/2001/04/xmlenc#rsa-1_5"),  # Bleichenbacher
    ],
)
def test_decryption_refuses_unauthenticated_or_pkcs1_algorithms(
    campus, campus_files, node, algorithm
):
    key_file, cert_file = campus_files
    root = etree.fromstring(encrypted(campus, cert_file))
    data = root.find(f".//{{{XENC}}}EncryptedData")
    target = data if node == "content" else data.find(f".//{{{XENC}}}EncryptedKey")
    target.find(f"{{{XENC}}}EncryptionMethod").set("Algorithm", algorithm)
    with pytest.raises(DecryptError, match="not accepted"):
        InProcessCryptoBackend().decrypt(etree.tostring(root, encoding="unicode"), key_file)


def test_a_whole_element_encrypts_with_pysaml2s_own_template_file(campus_files):
    """pysaml2's generic ``encrypt`` passes its template as a file name and, by default,
    encrypts the root element: the output is the EncryptedData, never the plaintext."""
    key_file, cert_file = campus_files
    context = SecurityContext(InProcessCryptoBackend(), enc_key_files=[key_file])
    attribute = '<saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="ssn"/>'
    xml = context.encrypt(attribute, recv_key=cert_file)
    assert etree.fromstring(xml).tag == f"{{{XENC}}}EncryptedData" and "ssn" not in xml
    assert context.decrypt(xml) == attribute


def test_a_document_with_nothing_encrypted_is_refused(campus_files):
    with pytest.raises(DecryptError, match="nothing encrypted"):
        InProcessCryptoBackend().decrypt(RESPONSE, campus_files[0])


XMLSEC1 = shutil.which("xmlsec1")


@pytest.mark.skipif(XMLSEC1 is None, reason="the xmlsec1 program is not installed")
def test_the_xmlsec1_program_decrypts_what_we_encrypt(campus, campus_files, tmp_path):
    key_file, cert_file = campus_files
    document = tmp_path / "encrypted.xml"
    document.write_text(encrypted(campus, cert_file))
    result = subprocess.run(
        [XMLSEC1, "--decrypt", "--privkey-pem", key_file, str(document)],
        capture_output=True,
        check=True,
    )
    assert b"rosa.diaz@district.example" in result.stdout


# --- pysaml2's security contexts -----------------------------------------------------------


def test_install_leaves_no_pysaml2_module_with_its_own_security_context():
    saml_crypto.install()
    saml_crypto.install()  # again: nothing changes
    holders = {
        name: module.security_context
        for name, module in sys.modules.items()
        if name.startswith("saml2") and hasattr(module, "security_context")
    }
    assert {"saml2.sigver", "saml2.entity", "saml2.mdstore", "saml2.response"} <= set(holders)
    assert set(holders.values()) == {saml_crypto.security_context}


def test_a_pysaml2_sp_starts_signs_and_decrypts_without_the_xmlsec1_program(
    campus, campus_files, tmp_path, monkeypatch
):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    def no_program(*args, **kwargs):
        raise AssertionError("pysaml2 looked for the xmlsec1 program")

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(saml2.sigver, "get_xmlsec_binary", no_program)
    monkeypatch.setattr(saml2.sigver, "CryptoBackendXmlSec1", no_program)
    saml_crypto.install()
    key_file, cert_file = campus_files
    conf = SPConfig()
    conf.load(
        {
            "entityid": "https://campus.test/sp",
            "key_file": key_file,
            "cert_file": cert_file,
            "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
            "service": {"sp": {"endpoints": {"assertion_consumer_service": ["https://c/acs"]}}},
        }
    )
    client = Saml2Client(conf)
    assert isinstance(client.sec.crypto, InProcessCryptoBackend)
    _, request = client.create_authn_request("https://idp.test/sso", sign=True)
    assert re.search(r"SignatureValue>[A-Za-z0-9+/=\s]{100,}<", str(request))  # signed
    redirect = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        "<samlp:AuthnRequest/>",
        "https://idp.test/sso",
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    )
    assert "Signature=" in dict(redirect["headers"])["Location"]
    assert "rosa.diaz@district.example" in client.sec.decrypt(encrypted(campus, cert_file))
