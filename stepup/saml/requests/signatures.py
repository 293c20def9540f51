"""Step 5: every signature present verifies against the SP's registered certificates
(never the KeyInfo in the message), and an SP that must sign did."""

from __future__ import annotations

import base64
import binascii

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from idbridge.saml_crypto import XmlSignatureError, load_public_key, verify_enveloped
from stepup.saml.metadata import BINDING_HTTP_POST
from stepup.saml.requests.parameters import parse_saml_parameters
from stepup.saml.requests.values import (
    DSIG,
    RegisteredSp,
    RequestRefused,
    SamlHttpInput,
    refusals_attributed_to,
)

# HTTP-Redirect SigAlg values we accept (SHA-1 is refused).
REDIRECT_SIG_ALGS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", hashes.SHA512),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ec", hashes.SHA512),
}


def _load_cert_public_key(pem: str):
    return x509.load_pem_x509_certificate(pem.encode()).public_key()


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
    signed = _signed_octets(data)
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


def _signed_octets(data: SamlHttpInput) -> bytes:
    """The octets the query signature covers, from the one reading of the query string;
    the request is refused unless they are the very parameters this request carries."""
    params = parse_saml_parameters(data.raw_query)
    names = ("SAMLRequest", "RelayState", "SigAlg", "Signature")
    carried = (data.saml_request, data.relay_state, data.sig_alg, data.signature)
    if tuple(params.get(name) for name in names) != carried:
        raise RequestRefused(
            "polluted", "The signed parameters are not the ones this request carries."
        )
    return params.signed_octets()


def check_signatures(
    data: SamlHttpInput, root: etree._Element, sp: RegisteredSp, ctx: dict
) -> bool:
    """Step 5 for the message ``root`` from ``sp``; True when it is signed."""
    xml_signature = root.find(f"{{{DSIG}}}Signature")
    has_query_signature = bool(data.signature)
    _check_signature_presence(data, sp, ctx, xml_signature is not None, has_query_signature)
    if has_query_signature:
        with refusals_attributed_to(ctx["sp_entity_id"], ctx["request_id"]):
            verify_redirect_signature(data, sp.signing_certs)
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
    return xml_signature is not None or has_query_signature


def _check_signature_presence(
    data: SamlHttpInput, sp: RegisteredSp, ctx: dict, has_xml: bool, has_query: bool
) -> None:
    """A signature where the binding puts one, present when the SP must sign, and a
    registered certificate to check it with."""
    if data.binding == BINDING_HTTP_POST and has_query:
        raise RequestRefused("malformed", "HTTP-POST requests carry no query signature.", **ctx)
    if sp.signatures_required and not has_xml and not has_query:
        raise RequestRefused(
            "signature_required",
            "This service provider must sign its requests, and this one is not signed.",
            status=403,
            **ctx,
        )
    if (has_xml or has_query) and not sp.signing_certs:
        raise RequestRefused(
            "signature_invalid",
            "The request is signed, but no signing certificate is registered for this SP.",
            status=403,
            **ctx,
        )
