"""The pysaml2 IdP server, built from plain data, signing in-process; responses.

``build_server(spec)`` turns an :class:`IdpSpec` (entity ID, endpoint URLs, key pair(s),
the registered SPs' metadata) into a ``saml2.server.Server`` whose ``sec.crypto`` is the
in-process :class:`~idbridge.saml_crypto.InProcessCryptoBackend`, plus the IdP's
signed metadata. pysaml2 signs with SHA-1 unless told otherwise at every call, so every
signing call here passes RSA-SHA256 / SHA-256 explicitly (and the config says so too).

No Django imports: the Django side (``stepup/runtime.py``) gathers the spec from the
database and caches the result per process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.extension import algsupport
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import (
    NAME_FORMAT_URI,
    NAMEID_FORMAT_EMAILADDRESS,
    NAMEID_FORMAT_PERSISTENT,
    NAMEID_FORMAT_TRANSIENT,
    NameID,
)
from saml2.server import Server

from idbridge.saml_crypto import DIGEST_SHA256, SIG_RSA_SHA256, InProcessCryptoBackend, install
from stepup.saml.assertion import AssertionInput, Attribute, Issued, signed_response

STATUS_NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
STATUS_NO_PASSIVE = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
STATUS_REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
STATUS_INVALID_NAMEID_POLICY = "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"

NAMEID_FORMATS = (NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_EMAILADDRESS)

# The class references idbridge can assert, published in metadata as an entity attribute.
CLASS_REFS_ATTRIBUTE = "urn:idbridge:metadata:authn-context-class-refs"

# Releasable attributes: our key -> (SAML attribute name, FriendlyName). Standard OIDs
# where one exists (eduPerson / inetOrgPerson), idbridge URNs for the Campus ones.
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "staff_number": ("urn:oid:2.16.840.1.113730.3.1.3", "employeeNumber"),
    "email": ("urn:oid:0.9.2342.19200300.100.1.3", "mail"),
    "given_name": ("urn:oid:2.5.4.42", "givenName"),
    "surname": ("urn:oid:2.5.4.4", "sn"),
    "display_name": ("urn:oid:2.16.840.1.113730.3.1.241", "displayName"),
    "affiliation": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "eduPersonAffiliation"),
    "campus_person_id": ("urn:idbridge:attribute:campus-person-id", "campusPersonID"),
    "roles": ("urn:idbridge:attribute:campus-roles", "campusRoles"),
}
_NAME_BY_FRIENDLY = {friendly: name for name, friendly in ATTRIBUTES.values()}


@dataclass(frozen=True)
class IdpSpec:
    entity_id: str
    sso_redirect_url: str
    sso_post_url: str
    slo_redirect_url: str
    slo_post_url: str
    signing_key_pem: str
    signing_cert_pem: str
    next_cert_pem: str | None = None
    sp_metadata: tuple[str, ...] = ()
    class_refs: tuple[str, ...] = ()
    organization: str = "idbridge"
    organization_url: str = ""
    assertion_lifetime_minutes: int = 5


@dataclass
class Idp:
    """A ready pysaml2 server and the IdP's signed metadata (built once per process)."""

    server: Server
    metadata_xml: str
    spec: IdpSpec = field(repr=False)
    private_key: object = field(repr=False, default=None)


def _attribute_converter() -> AttributeConverter:
    conv = AttributeConverter(NAME_FORMAT_URI)
    conv.from_dict(
        {
            "identifier": NAME_FORMAT_URI,
            "fro": {name: friendly for name, friendly in ATTRIBUTES.values()},
            "to": {friendly: name for name, friendly in ATTRIBUTES.values()},
        }
    )
    return conv


def build_server(spec: IdpSpec) -> Idp:
    """A pysaml2 ``Server`` for ``spec`` with in-process signing, and signed metadata."""
    with tempfile.TemporaryDirectory(prefix="idbridge-idp-") as tmp:
        cert_file, extra_cert_files = _write_certificates(spec, tmp)
        install()  # pysaml2's security contexts on python-xmlsec, no xmlsec1 program
        conf = IdPConfig()
        conf.load(_config(spec, cert_file, extra_cert_files))
        server = Server(config=conf)
        # Our own attribute catalogue only (pysaml2 would otherwise rebuild its default
        # converters for every assertion it filters).
        converters = [_attribute_converter()]
        server.config.attribute_converters = converters
        server.config._idp_attribute_converters = converters
        server.sec.crypto = InProcessCryptoBackend(spec.signing_key_pem, spec.signing_cert_pem)
        metadata_xml = _signed_metadata(server, conf)
    private_key = serialization.load_pem_private_key(spec.signing_key_pem.encode(), None)
    return Idp(server=server, metadata_xml=metadata_xml, spec=spec, private_key=private_key)


def _write_certificates(spec: IdpSpec, folder: str) -> tuple[str, list[str]]:
    """pysaml2 reads certificates from files; they are public. The private key never
    touches the disk: it goes straight into the in-process backend."""
    cert_file = os.path.join(folder, "signing.crt")
    with open(cert_file, "w") as fh:
        fh.write(spec.signing_cert_pem)
    extra = []
    if spec.next_cert_pem:
        extra.append(os.path.join(folder, "next.crt"))
        with open(extra[0], "w") as fh:
            fh.write(spec.next_cert_pem)
    return cert_file, extra


def _config(spec: IdpSpec, cert_file: str, extra_cert_files: list[str]) -> dict:
    """pysaml2's configuration for the IdP in ``spec``."""
    return {
        "entityid": spec.entity_id,
        "service": {"idp": _idp_service(spec)},
        "metadata": {"inline": list(spec.sp_metadata)},
        "cert_file": cert_file,
        "additional_cert_files": extra_cert_files or None,
        "organization": {
            "name": spec.organization,
            "display_name": spec.organization,
            "url": spec.organization_url or spec.entity_id,
        },
        "entity_attributes": [
            {
                "name": CLASS_REFS_ATTRIBUTE,
                "format": NAME_FORMAT_URI,
                "values": list(spec.class_refs),
            }
        ]
        if spec.class_refs
        else [],
    }


def _idp_service(spec: IdpSpec) -> dict:
    return {
        "name": spec.organization,
        "endpoints": {
            "single_sign_on_service": [
                (spec.sso_redirect_url, BINDING_HTTP_REDIRECT),
                (spec.sso_post_url, BINDING_HTTP_POST),
            ],
            "single_logout_service": [
                (spec.slo_redirect_url, BINDING_HTTP_REDIRECT),
                (spec.slo_post_url, BINDING_HTTP_POST),
            ],
        },
        "name_id_format": list(NAMEID_FORMATS),
        # Per-SP "require signed requests" is enforced by our validator.
        "want_authn_requests_signed": False,
        "sign_response": True,
        "sign_assertion": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "policy": {
            "default": {
                "lifetime": {"minutes": spec.assertion_lifetime_minutes},
                "name_form": NAME_FORMAT_URI,
            }
        },
    }


def _signed_metadata(server: Server, conf: IdPConfig) -> str:
    # The algorithms advertised are the ones we sign with (pysaml2 would list whatever an
    # xmlsec1 program supports, SHA-1 and MD5 included, if it had one to ask).
    descriptor = entity_descriptor(conf)
    if descriptor.extensions is None:
        from saml2 import md

        descriptor.extensions = md.Extensions()
    descriptor.extensions.add_extension_element(algsupport.DigestMethod(algorithm=DIGEST_SHA256))
    descriptor.extensions.add_extension_element(algsupport.SigningMethod(algorithm=SIG_RSA_SHA256))
    _, xml = sign_entity_descriptor(
        descriptor, None, server.sec, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
    )
    if not xml.startswith("<?xml"):
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + xml
    return xml


# --- Name identifiers -----------------------------------------------------------------


def persistent_id(secret: bytes, sp_entity_id: str, subject_id: str) -> str:
    """An opaque, stable identifier of ``subject_id`` for one SP (HMAC-SHA256, hex).

    Two SPs get unrelated values for the same person, so they cannot join their records;
    the same SP always gets the same value.
    """
    message = f"{sp_entity_id}\x00{subject_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def name_id_for(
    *,
    fmt: str,
    secret: bytes,
    idp_entity_id: str,
    sp_entity_id: str,
    subject_id: str,
    email: str,
) -> NameID:
    if fmt == NAMEID_FORMAT_TRANSIENT:
        value = os.urandom(20).hex()
    elif fmt == NAMEID_FORMAT_EMAILADDRESS:
        value = email
    else:
        fmt = NAMEID_FORMAT_PERSISTENT
        value = persistent_id(secret, sp_entity_id, subject_id)
    return NameID(
        format=fmt,
        name_qualifier=idp_entity_id,
        sp_name_qualifier=sp_entity_id,
        text=value,
    )


def identity_for(values: dict[str, object], release: list[str] | tuple[str, ...]) -> dict:
    """The AVA pysaml2 expects (FriendlyName -> list of str) for the released keys only."""
    ava = {}
    for key in release:
        if key not in ATTRIBUTES:
            continue
        value = values.get(key)
        if value in (None, "", [], ()):
            continue
        items = value if isinstance(value, list | tuple) else [value]
        ava[ATTRIBUTES[key][1]] = [str(v) for v in items]
    return ava


# --- Responses ------------------------------------------------------------------------


def authn_response(
    idp: Idp,
    *,
    in_response_to: str,
    destination: str,
    sp_entity_id: str,
    name_id: NameID,
    identity: dict,
    class_ref: str,
    authn_instant: datetime,
    encrypt_cert_pem: str | None = None,
) -> Issued:
    """A signed (Response and Assertion, RSA-SHA256) SAML Response and its ID
    (:mod:`stepup.saml.assertion` builds it; ``identity`` is :func:`identity_for`'s).

    ``authn_instant`` is when the user really verified, not now.
    """
    data = AssertionInput(
        issuer=idp.spec.entity_id,
        in_response_to=in_response_to,
        destination=destination,
        audience=sp_entity_id,
        name_id=name_id.text,
        name_id_format=name_id.format,
        name_qualifier=name_id.name_qualifier,
        sp_name_qualifier=name_id.sp_name_qualifier,
        class_ref=class_ref,
        authn_instant=authn_instant,
        attributes=tuple(
            Attribute(_NAME_BY_FRIENDLY[friendly], friendly, tuple(values))
            for friendly, values in identity.items()
        ),
        lifetime=timedelta(minutes=idp.spec.assertion_lifetime_minutes),
    )
    return signed_response(
        data, idp.server.sec.crypto.signing_key, encrypt_cert_pem=encrypt_cert_pem
    )


def error_response(
    idp: Idp,
    *,
    in_response_to: str,
    destination: str,
    status: str,
    message: str,
) -> str:
    """A signed SAML Response with a second-level status (NoAuthnContext, NoPassive...)."""
    response = idp.server.create_error_response(
        in_response_to,
        destination,
        info=(status, message),
        sign=True,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return str(response)


def logout_response(idp: Idp, *, request_xml: str, binding: str) -> str:
    """A LogoutResponse (Success) to a validated LogoutRequest, as XML text.

    For HTTP-POST the XML is signed (RSA-SHA256); for HTTP-Redirect the query string is
    signed instead (:func:`redirect_url`), as the binding requires.
    """
    message = samlp.logout_request_from_string(request_xml)
    post = binding == BINDING_HTTP_POST
    response = idp.server.create_logout_response(
        message,
        bindings=[binding],
        sign=post,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return str(response)


def redirect_url(idp: Idp, *, destination: str, xml: str, relay_state: str = "") -> str:
    """HTTP-Redirect binding: DEFLATE + base64 the response, sign the query (RSA-SHA256)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(xml.encode()) + compressor.flush()
    params = [("SAMLResponse", base64.b64encode(deflated).decode())]
    if relay_state:
        params.append(("RelayState", relay_state))
    params.append(("SigAlg", SIG_RSA_SHA256))
    query = urlencode(params)
    signature = idp.private_key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    query += "&" + urlencode({"Signature": base64.b64encode(signature).decode()})
    separator = "&" if "?" in destination else "?"
    return f"{destination}{separator}{query}"
