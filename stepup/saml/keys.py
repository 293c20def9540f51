"""Signing key pairs for the IdP: RSA-2048 with a self-signed certificate (``cryptography``).

SAML does not use the certificate's chain or validity dates (the SP pins the certificate
it finds in our metadata), so a long-lived self-signed certificate is the norm.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_BITS = 2048
CERT_DAYS = 3650


@dataclass(frozen=True)
class KeyPair:
    private_key_pem: str
    certificate_pem: str
    not_after: datetime


def generate_key_pair(common_name: str, *, now: datetime | None = None) -> KeyPair:
    """A new RSA key and a self-signed certificate for ``common_name`` (SHA-256)."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "idbridge"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "idbridge SAML IdP"),
        ]
    )
    not_after = now + timedelta(days=CERT_DAYS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        not_after=not_after.replace(microsecond=0),
    )


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
