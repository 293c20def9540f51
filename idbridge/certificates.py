"""Self-signed X.509 certificates with their RSA keys (``cryptography``). No Django imports.

SAML does not use a certificate's chain or validity dates (the other side pins the
certificate it finds in our metadata), so a long-lived self-signed certificate is the
norm: the IdP's signing keys (``stepup.saml.keys``) and the Campus sandbox SP's key pair
(``sandbox.sp.keys``) both come from :func:`self_signed_key_pair`.

>>> pair = self_signed_key_pair("idbridge.example", "idbridge SAML IdP")
>>> pair.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
True
"""

from __future__ import annotations

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
    private_key_pem: str  # PKCS#8, unencrypted
    certificate_pem: str
    not_after: datetime  # to the second


def self_signed_key_pair(
    common_name: str,
    organization: str,
    *,
    days: int = CERT_DAYS,
    now: datetime | None = None,
) -> KeyPair:
    """A new RSA-2048 key and a certificate for it, self-signed with SHA-256: valid from
    five minutes before ``now`` for ``days`` days, not a CA."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    not_after = now + timedelta(days=days)
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
