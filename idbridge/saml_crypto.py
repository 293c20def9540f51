"""pysaml2's XML signatures and encryption, in-process on python-xmlsec (libxmlsec1).

pysaml2's own backend (``CryptoBackendXmlSec1``) writes every message to a temporary file
and runs the ``xmlsec1`` program (about 35 ms per signature), and its
``security_context(conf)`` refuses to start when that program is missing. This module
does the same work in the process, with libxmlsec1 from the ``xmlsec`` wheel, and no
program is ever looked for:

- :class:`InProcessCryptoBackend` signs the templates pysaml2 prepares
  (``pre_signature_part``: exclusive C14N, enveloped, the algorithms in the template),
  verifies, encrypts assertions (AES-256-GCM session key, RSA-OAEP key transport to the
  recipient's certificate) and decrypts them.
- :func:`security_context` is pysaml2's function of that name on this backend;
  :func:`install` makes pysaml2 use it wherever it builds one (the IdP's ``Server``,
  djangosaml2's ``Saml2Client``, metadata stores). Call it before loading a pysaml2
  configuration; calling it again does nothing.

Verification pins the key it is given (a certificate from *our* configuration or the
peer's metadata, never a KeyInfo in the message), accepts only an enveloped signature
whose single Reference points at the signed element's own ID, and only SHA-2 algorithms.
Decryption accepts only AES-GCM content and RSA-OAEP key transport (CBC and RSA
PKCS#1 v1.5 are open to padding-oracle attacks), with our own private key only.

No Django imports: the IdP (``stepup``), the sandbox's SP and the bench use it alike.

    >>> install()
    >>> import saml2.entity
    >>> saml2.entity.security_context is security_context
    True
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading

import saml2.sigver
import xmlsec
from lxml import etree
from saml2 import SamlBase
from saml2.sigver import (
    ASSERT_XPATH,
    CryptoBackend,
    DecryptError,
    EncryptError,
    RSACrypto,
    SecurityContext,
    SignatureError,
    import_rsa_key_from_file,
    pre_encrypt_assertion,
)

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XENC_NS = "http://www.w3.org/2001/04/xmlenc#"
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
XENC_ELEMENT = "http://www.w3.org/2001/04/xmlenc#Element"

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
# What an inbound encrypted element may use: authenticated content encryption, OAEP.
_CONTENT_ALGORITHMS = {
    xmlsec.constants.TransformAes128Gcm.href: 16,
    xmlsec.constants.TransformAes192Gcm.href: 24,
    xmlsec.constants.TransformAes256Gcm.href: 32,
}
_KEY_TRANSPORT_ALGORITHMS = {RSA_OAEP_MGF1P, "http://www.w3.org/2009/xmlenc11#rsa-oaep"}


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


_file_keys: dict[tuple[str, str], xmlsec.Key] = {}
_file_keys_lock = threading.Lock()


def key_from_file(path: str, *, private: bool) -> xmlsec.Key:
    """The key in a PEM file (pysaml2 hands keys and certificates around as file names),
    parsed once per content and process."""
    with open(path, "rb") as fh:
        content = fh.read()
    cache_key = (hashlib.sha256(content).hexdigest(), "private" if private else "public")
    with _file_keys_lock:
        key = _file_keys.get(cache_key)
        if key is None:
            key = load_private_key(content) if private else load_public_key(content)
            if len(_file_keys) > 256:  # bound the cache: certificates come and go
                _file_keys.clear()
            _file_keys[cache_key] = key
    return key


# --- signatures ---------------------------------------------------------------------------


def sign_element(root: etree._Element, element: etree._Element, key: xmlsec.Key) -> None:
    """Fill in the ``ds:Signature`` template that is a direct child of ``element``."""
    signature = element.find(f"{{{DSIG_NS}}}Signature")
    if signature is None:
        raise XmlSignatureError("the element has no signature template")
    ctx = xmlsec.SignatureContext()
    ctx.register_id(element, "ID")
    ctx.key = key
    ctx.sign(signature)


def _signature_of(element: etree._Element) -> etree._Element:
    """The one enveloped ``ds:Signature`` of ``element``, if it covers exactly ``element``."""
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
    return signature


def verify_enveloped(element: etree._Element, keys: list[xmlsec.Key]) -> None:
    """Verify the enveloped signature of ``element`` with one of ``keys``; raise if none.

    The structure is checked first, so that what xmlsec verifies is what the caller reads:
    exactly one ``ds:Signature`` child, one Reference, URI ``#<element's own ID>``
    (signature wrapping puts a validly signed copy elsewhere and points at it), no
    ``ds:Object``. Only SHA-2 signature and digest algorithms and the SAML transforms are
    enabled. The KeyInfo in the message is ignored: the key comes from ``keys``.
    """
    signature = _signature_of(element)
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


# --- encryption ---------------------------------------------------------------------------


def encrypt_element(
    element: etree._Element, template: etree._Element, cert_pem: bytes
) -> etree._Element:
    """Replace ``element`` with ``template`` (an ``xenc:EncryptedData`` holding one
    ``xenc:EncryptedKey``, as pysaml2's ``pre_encryption_part`` makes it) filled in: the
    element encrypted with a fresh AES-256-GCM key, that key encrypted with RSA-OAEP to
    ``cert_pem``. Whatever algorithms the template named, these are the ones used.
    Returns the ``xenc:EncryptedData`` (the new root, if ``element`` was the root)."""
    method = template.find(f"{{{XENC_NS}}}EncryptionMethod")
    encrypted_key = template.find(f"{{{DSIG_NS}}}KeyInfo/{{{XENC_NS}}}EncryptedKey")
    if method is None or encrypted_key is None:
        raise EncryptError("the encryption template has no EncryptionMethod or EncryptedKey")
    key_method = encrypted_key.find(f"{{{XENC_NS}}}EncryptionMethod")
    if key_method is None:
        raise EncryptError("the encryption template's EncryptedKey has no EncryptionMethod")
    method.set("Algorithm", AES256_GCM)
    key_method.set("Algorithm", RSA_OAEP_MGF1P)
    template.set("Type", XENC_ELEMENT)
    manager = xmlsec.KeysManager()
    manager.add_key(load_public_key(cert_pem))  # what the EncryptedKey is encrypted to
    ctx = xmlsec.EncryptionContext(manager)
    ctx.key = xmlsec.Key.generate(
        xmlsec.constants.KeyDataAes, 256, xmlsec.constants.KeyDataTypeSession
    )
    return ctx.encrypt_xml(template, element)


def decrypt_element(encrypted_data: etree._Element, private_key: xmlsec.Key) -> etree._Element:
    """Decrypt an ``xenc:EncryptedData`` of type Element in place; return what it held.

    The content key is taken only from an ``xenc:EncryptedKey`` in its KeyInfo (or, as
    SAML allows, next to it in the same parent), decrypted with ``private_key``: no key
    names, no RetrievalMethod, no key carried by the message. AES-GCM content and RSA-OAEP
    key transport only. Raises :class:`~saml2.sigver.DecryptError` with the reason.
    """
    if encrypted_data.get("Type") != XENC_ELEMENT:
        raise DecryptError("only encrypted elements are accepted")
    content_algorithm = _algorithm(encrypted_data)
    if content_algorithm not in _CONTENT_ALGORITHMS:
        raise DecryptError(f"content encryption {content_algorithm!r} is not accepted")
    encrypted_key = _encrypted_key_of(encrypted_data)
    if _algorithm(encrypted_key) not in _KEY_TRANSPORT_ALGORITHMS:
        raise DecryptError(f"key transport {_algorithm(encrypted_key)!r} is not accepted")
    try:
        key_ctx = xmlsec.EncryptionContext()
        key_ctx.key = private_key
        content_key = key_ctx.decrypt(encrypted_key)
        if len(content_key) != _CONTENT_ALGORITHMS[content_algorithm]:
            raise DecryptError("the content key has the wrong length")
        ctx = xmlsec.EncryptionContext()
        ctx.key = xmlsec.Key.from_binary_data(xmlsec.constants.KeyDataAes, content_key)
        decrypted = ctx.decrypt(encrypted_data)
    except xmlsec.Error as exc:
        raise DecryptError(f"the encrypted element does not decrypt with our key ({exc})")
    if not isinstance(decrypted, etree._Element):
        raise DecryptError("the encrypted element did not hold XML")
    return decrypted


def _algorithm(node: etree._Element) -> str | None:
    method = node.find(f"{{{XENC_NS}}}EncryptionMethod")
    return None if method is None else method.get("Algorithm")


def _encrypted_key_of(encrypted_data: etree._Element) -> etree._Element:
    inside = encrypted_data.findall(f"{{{DSIG_NS}}}KeyInfo/{{{XENC_NS}}}EncryptedKey")
    parent = encrypted_data.getparent()
    beside = [] if parent is None else parent.findall(f"{{{XENC_NS}}}EncryptedKey")
    candidates = inside or beside
    if len(candidates) != 1:
        raise DecryptError("expected exactly one EncryptedKey for the encrypted element")
    return candidates[0]


# --- pysaml2 ------------------------------------------------------------------------------


def _text(value) -> str:
    return value if isinstance(value, str) else str(value)


def _document(node: etree._Element) -> str:
    """The whole document ``node`` is in (encrypting or decrypting the root replaces it)."""
    return etree.tostring(node.getroottree().getroot(), encoding="unicode")


def _template(template) -> str:
    """An encryption template as XML text: pysaml2 passes an element or, for ``encrypt``,
    the name of its template file."""
    text = _text(template)
    if text.lstrip().startswith("<"):
        return text
    with open(text, encoding="utf-8") as fh:
        return fh.read()


class InProcessCryptoBackend(CryptoBackend):
    """pysaml2 ``CryptoBackend`` on python-xmlsec: sign, verify, encrypt and decrypt.

    ``key_pem``/``cert_pem``: a signing key pair parsed once here (the IdP's, whose
    private key never touches the disk); without it, pysaml2's ``key_file`` is used.
    """

    def __init__(self, key_pem: str | bytes | None = None, cert_pem: str | bytes | None = None):
        super().__init__()
        self._key = load_private_key(key_pem, cert_pem) if key_pem else None

    @property
    def signing_key(self) -> xmlsec.Key | None:
        return self._key

    @property
    def version(self):
        return xmlsec.__version__

    def sign_statement(self, statement, node_name, key_file, node_id):
        root = parse_xml(statement if isinstance(statement, bytes | str) else str(statement))
        element = _find_node(root, node_name, node_id)
        key = key_from_file(key_file, private=True) if key_file else self._key
        if key is None:
            raise SignatureError("no signing key")
        try:
            sign_element(root, element, key)
        except xmlsec.Error as exc:
            raise SignatureError(f"in-process signing failed: {exc}") from exc
        return etree.tostring(root, encoding="unicode")

    def validate_signature(self, signedtext, cert_file, cert_type, node_name, node_id):
        if cert_type != "pem":
            raise SignatureError("only PEM certificates are supported")
        try:
            root = parse_xml(signedtext)
            element = _find_node(root, node_name, node_id)
            verify_enveloped(element, [key_from_file(cert_file, private=False)])
        except (XmlSignatureError, etree.XMLSyntaxError) as exc:
            raise SignatureError(str(exc)) from exc
        return True

    def encrypt_assertion(self, statement, enc_key, template, key_type=None, node_xpath=None):
        """Encrypt the assertion at ``node_xpath`` (by default the one pysaml2 put in the
        Response's ``EncryptedAssertion``) to the certificate in the file ``enc_key``.
        ``key_type`` (pysaml2's 3DES default) is ignored: the content key is AES-256."""
        if isinstance(statement, SamlBase):
            statement = pre_encrypt_assertion(statement)
        try:
            root = parse_xml(_text(statement))
            nodes = root.xpath(node_xpath or ASSERT_XPATH)
            if len(nodes) != 1:
                raise EncryptError(f"expected one element to encrypt, found {len(nodes)}")
            with open(enc_key, "rb") as fh:
                cert_pem = fh.read()
            encrypted = encrypt_element(nodes[0], parse_xml(_template(template)), cert_pem)
        except (OSError, xmlsec.Error, XmlSignatureError, etree.XMLSyntaxError) as exc:
            raise EncryptError(f"in-process encryption failed: {exc}") from exc
        return _document(encrypted)

    def encrypt(self, text, recv_key, template, key_type, xpath=""):
        """pysaml2's generic ``encrypt``: the element at ``xpath`` (default: the root)."""
        return self.encrypt_assertion(text, recv_key, template, key_type, xpath or "/*")

    def decrypt(self, enctext, key_file):
        """The document with its first ``xenc:EncryptedData`` decrypted with the private
        key in ``key_file`` (what the ``xmlsec1`` program's ``--decrypt`` returns)."""
        try:
            root = parse_xml(enctext)
        except (XmlSignatureError, etree.XMLSyntaxError) as exc:
            raise DecryptError(f"not an XML document to decrypt: {exc}") from exc
        encrypted = next(root.iter(f"{{{XENC_NS}}}EncryptedData"), None)
        if encrypted is None:
            raise DecryptError("nothing encrypted in the document")
        return _document(decrypt_element(encrypted, key_from_file(key_file, private=True)))


def security_context(conf) -> SecurityContext | None:
    """pysaml2's ``saml2.sigver.security_context`` on :class:`InProcessCryptoBackend`:
    the same context for the same configuration, without the ``xmlsec1`` program (its
    ``xmlsec_binary``, ``xmlsec_path`` and ``crypto_backend`` settings are not read)."""
    if not conf:
        return None
    key_file = conf.getattr("key_file", "")
    sec_backend = RSACrypto(import_rsa_key_from_file(key_file)) if key_file else None
    enc_key_files = [
        pair["key_file"] for pair in conf.encryption_keypairs or () if "key_file" in pair
    ]
    return SecurityContext(
        InProcessCryptoBackend(),
        conf.key_file,
        cert_file=conf.cert_file,
        metadata=getattr(conf, "metadata", None),
        only_use_keys_in_metadata=conf.only_use_keys_in_metadata,
        cert_handler_extra_class=conf.cert_handler_extra_class,
        generate_cert_info=conf.generate_cert_info,
        tmp_cert_file=conf.tmp_cert_file,
        tmp_key_file=conf.tmp_key_file,
        validate_certificate=conf.validate_certificate,
        enc_key_files=enc_key_files,
        encryption_keypairs=conf.encryption_keypairs,
        sec_backend=sec_backend,
        delete_tmpfiles=conf.delete_tmpfiles,
    )


# The pysaml2 modules that bind ``security_context`` by name when they are imported.
_PYSAML2_USERS = ("saml2.entity", "saml2.mdstore", "saml2.metadata", "saml2.response")


def install() -> None:
    """Have pysaml2 build every security context with :func:`security_context`.

    pysaml2 offers no setting for another backend, and its modules import the function by
    name, so it is replaced in ``saml2.sigver`` (for modules imported later) and in every
    pysaml2 module already holding the original.
    """
    original = saml2.sigver.security_context
    if original is security_context:
        return
    for name in _PYSAML2_USERS:
        importlib.import_module(name)
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "saml2" and getattr(module, "security_context", None) is original:
            module.security_context = security_context
