"""In-process XML signatures for pysaml2 on python-xmlsec (libxmlsec1), key loaded once.

pysaml2's default backend (``CryptoBackendXmlSec1``) writes every message to a temporary
file and runs the ``xmlsec1`` program once per signature: about 35 ms each, 70 ms for a
signed Response around a signed Assertion. This backend signs the same templates
(``pre_signature_part``: exclusive C14N, enveloped, the algorithms pysaml2 put in the
template) in the process, in about a millisecond, with the private key parsed once per
process. Attach it to a pysaml2 entity as ``server.sec.crypto``.

Verification pins the key it is given (the SP's certificate from *our* registry, never
a KeyInfo in the message), accepts only an enveloped signature whose single Reference
points at the signed element's own ID, and only SHA-2 algorithms.

Encryption (per-SP encrypted assertions) and decryption stay with the ``xmlsec1``
program: they are rare here and pysaml2 drives them through file templates. The session
key algorithm is raised from pysaml2's default 3DES to AES-256-GCM.

No Django imports: this module is used by the bench and by tests on its own.
"""

from __future__ import annotations

import hashlib
import threading

import xmlsec
from lxml import etree
from saml2.sigver import CryptoBackend, CryptoBackendXmlSec1, SignatureError

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XENC_NS = "http://www.w3.org/2001/04/xmlenc#"
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

# What an inbound signature may use (SHA-1 and MD5 are refused).
_SIGNATURE_TRANSFORMS = (
    xmlsec.constants.TransformExclC14N,
    xmlsec.constants.TransformExclC14NWithComments,
    xmlsec.constants.TransformRsaSha256,
    xmlsec.constants.TransformRsaSha384,
    xmlsec.constants.TransformRsaSha512,
    xmlsec.constants.TransformEcdsaSha256,
    xmlsec.constants.TransformEcdsaSha384,
    xmlsec.constants.TransformEcdsaSha512,
)
_REFERENCE_TRANSFORMS = (
    xmlsec.constants.TransformEnveloped,
    xmlsec.constants.TransformExclC14N,
    xmlsec.constants.TransformExclC14NWithComments,
    xmlsec.constants.TransformSha256,
    xmlsec.constants.TransformSha384,
    xmlsec.constants.TransformSha512,
)


class XmlSignatureError(Exception):
    """A signature is missing, malformed, not ours to accept, or does not verify."""


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse XML without DTDs, entities or network access; a DOCTYPE is refused."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    root = etree.fromstring(data, parser)
    if root.getroottree().docinfo.doctype:
        raise XmlSignatureError("XML with a DOCTYPE is not accepted")
    return root


def _qname(node_name: str) -> str:
    """pysaml2 names nodes ``urn:...:assertion:Assertion``: namespace, colon, local name."""
    namespace, _, local = node_name.rpartition(":")
    return f"{{{namespace}}}{local}"


def _find_node(root: etree._Element, node_name: str, node_id: str | None) -> etree._Element:
    qname = _qname(node_name)
    for element in root.iter(qname):
        if node_id is None or element.get("ID") == node_id:
            return element
    raise XmlSignatureError(f"no {node_name} element with ID {node_id!r} to sign or verify")


def load_private_key(key_pem: bytes | str, cert_pem: bytes | str | None = None) -> xmlsec.Key:
    if isinstance(key_pem, str):
        key_pem = key_pem.encode()
    key = xmlsec.Key.from_memory(key_pem, xmlsec.constants.KeyDataFormatPem, None)
    if cert_pem:
        if isinstance(cert_pem, str):
            cert_pem = cert_pem.encode()
        key.load_cert_from_memory(cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    return key


def load_public_key(cert_pem: bytes | str) -> xmlsec.Key:
    if isinstance(cert_pem, str):
        cert_pem = cert_pem.encode()
    return xmlsec.Key.from_memory(cert_pem, xmlsec.constants.KeyDataFormatCertPem, None)


def sign_element(root: etree._Element, element: etree._Element, key: xmlsec.Key) -> None:
    """Fill in the ``ds:Signature`` template that is a direct child of ``element``."""
    signature = element.find(f"{{{DSIG_NS}}}Signature")
    if signature is None:
        raise XmlSignatureError("the element has no signature template")
    ctx = xmlsec.SignatureContext()
    ctx.register_id(element, "ID")
    ctx.key = key
    ctx.sign(signature)


def verify_enveloped(element: etree._Element, keys: list[xmlsec.Key]) -> None:
    """Verify the enveloped signature of ``element`` with one of ``keys``; raise if none.

    The structure is checked first, so that what xmlsec verifies is what the caller reads:
    exactly one ``ds:Signature`` child, one Reference, URI ``#<element's own ID>``
    (signature wrapping puts a validly signed copy elsewhere and points at it), no
    ``ds:Object``. Only SHA-2 signature and digest algorithms and the SAML transforms are
    enabled. The KeyInfo in the message is ignored: the key comes from ``keys``.
    """
    element_id = element.get("ID")
    if not element_id:
        raise XmlSignatureError("the signed element has no ID")
    signatures = element.findall(f"{{{DSIG_NS}}}Signature")
    if len(signatures) != 1:
        raise XmlSignatureError("expected exactly one enveloped signature")
    signature = signatures[0]
    references = signature.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
    if len(references) != 1 or references[0].get("URI") != f"#{element_id}":
        raise XmlSignatureError("the signature does not cover this element (Reference URI)")
    if signature.find(f"{{{DSIG_NS}}}Object") is not None:
        raise XmlSignatureError("signatures with ds:Object are not accepted")
    if len(element.getroottree().getroot().xpath("//*[@ID=$id]", id=element_id)) != 1:
        raise XmlSignatureError("the signed ID is not unique in the document")
    if not keys:
        raise XmlSignatureError("no certificate to verify the signature with")
    for key in keys:
        ctx = xmlsec.SignatureContext()
        ctx.register_id(element, "ID")
        for transform in _SIGNATURE_TRANSFORMS:
            ctx.enable_signature_transform(transform)
        for transform in _REFERENCE_TRANSFORMS:
            ctx.enable_reference_transform(transform)
        ctx.key = key
        try:
            ctx.verify(signature)
            return
        except xmlsec.Error:
            continue
    raise XmlSignatureError("the signature does not verify with the registered certificate")


class InProcessCryptoBackend(CryptoBackend):
    """pysaml2 ``CryptoBackend`` on python-xmlsec: sign and verify in process.

    ``key_pem``/``cert_pem``: the IdP's current signing key pair, parsed once here.
    ``xmlsec_binary``: the ``xmlsec1`` program, used only to encrypt assertions for SPs
    that ask for it (and to decrypt, which an IdP does not need).
    """

    def __init__(self, key_pem: str | bytes, cert_pem: str | bytes, *, xmlsec_binary: str = ""):
        super().__init__()
        self._key = load_private_key(key_pem, cert_pem)
        self._xmlsec_binary = xmlsec_binary
        self._fallback = None
        self._file_keys: dict[tuple[str, str], xmlsec.Key] = {}
        self._lock = threading.Lock()

    @property
    def version(self):
        return xmlsec.__version__

    # --- signing -------------------------------------------------------------------

    def sign_statement(self, statement, node_name, key_file, node_id):
        root = parse_xml(str(statement) if not isinstance(statement, bytes | str) else statement)
        element = _find_node(root, node_name, node_id)
        key = self._key if not key_file else self._key_from_file(key_file, private=True)
        try:
            sign_element(root, element, key)
        except xmlsec.Error as exc:
            raise SignatureError(f"in-process signing failed: {exc}") from exc
        return etree.tostring(root, encoding="unicode")

    # --- verification (pysaml2's own checks call this, with a certificate file) -----

    def validate_signature(self, signedtext, cert_file, cert_type, node_name, node_id):
        if cert_type != "pem":
            raise SignatureError("only PEM certificates are supported")
        try:
            root = parse_xml(signedtext)
            element = _find_node(root, node_name, node_id)
            verify_enveloped(element, [self._key_from_file(cert_file, private=False)])
        except (XmlSignatureError, etree.XMLSyntaxError) as exc:
            raise SignatureError(str(exc)) from exc
        return True

    def _key_from_file(self, path: str, *, private: bool) -> xmlsec.Key:
        with open(path, "rb") as fh:
            content = fh.read()
        cache_key = (hashlib.sha256(content).hexdigest(), "private" if private else "public")
        with self._lock:
            key = self._file_keys.get(cache_key)
            if key is None:
                key = load_private_key(content) if private else load_public_key(content)
                if len(self._file_keys) > 256:  # bound the cache: certificates come and go
                    self._file_keys.clear()
                self._file_keys[cache_key] = key
        return key

    # --- encryption: the xmlsec1 program ------------------------------------------

    def _xmlsec1(self) -> CryptoBackendXmlSec1:
        if not self._xmlsec_binary:
            raise SignatureError("assertion encryption needs the xmlsec1 program")
        if self._fallback is None:
            self._fallback = CryptoBackendXmlSec1(self._xmlsec_binary)
        return self._fallback

    def encrypt(self, text, recv_key, template, key_type):
        return self._xmlsec1().encrypt(text, recv_key, template, key_type)

    def encrypt_assertion(self, statement, enc_key, template, key_type, node_xpath):
        template = str(template).replace(
            "http://www.w3.org/2001/04/xmlenc#tripledes-cbc", AES256_GCM
        )
        return self._xmlsec1().encrypt_assertion(
            statement, enc_key, template, "aes-256", node_xpath
        )

    def decrypt(self, enctext, key_file):
        return self._xmlsec1().decrypt(enctext, key_file)
