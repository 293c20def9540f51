"""Signing key pairs for the IdP (RSA-2048, self-signed: ``idbridge.certificates``) and
the certificate helpers SAML metadata needs: body, PEM, fingerprint, expiry.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from cryptography import x509

from idbridge.certificates import KeyPair, self_signed_key_pair


def generate_key_pair(common_name: str, *, now: datetime | None = None) -> KeyPair:
    """A new RSA key and a self-signed certificate for ``common_name`` (SHA-256)."""
    return self_signed_key_pair(common_name[:64] or "idbridge", "idbridge SAML IdP", now=now)


def cert_body(cert_pem: str) -> str:
    """The base64 body of a PEM certificate, as SAML metadata carries it (one line)."""
    lines = [ln.strip() for ln in cert_pem.strip().splitlines()]
    return "".join(ln for ln in lines if ln and not ln.startswith("-----"))


def pem_from_body(body: str) -> str:
    """A PEM certificate from the base64 body found in metadata (whitespace ignored)."""
    compact = "".join(body.split())
    der = base64.b64decode(compact, validate=True)
    x509.load_der_x509_certificate(der)  # raises ValueError when it is not a certificate
    b64 = base64.b64encode(der).decode()
    wrapped = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN CERTIFICATE-----\n{wrapped}\n-----END CERTIFICATE-----\n"


def fingerprint(cert_pem: str) -> str:
    """SHA-256 fingerprint of the certificate, colon-separated hex (as browsers show it)."""
    der = base64.b64decode(cert_body(cert_pem))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def cert_not_after(cert_pem: str) -> datetime:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return cert.not_valid_after_utc
