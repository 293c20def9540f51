"""A passkey held in software, for server-side tests of the sign-in ceremony.

Each :class:`SoftwarePasskey` is an ES256 key pair with a credential ID, a user handle and
a sign count; :meth:`SoftwarePasskey.assertion` answers the options the server sent the
way a platform authenticator does (user present and verified, the counter one higher),
so py_webauthn verifies it for real. No browser, no attestation: the passkey is stored
directly (:func:`passkey_store`).

    passkey = SoftwarePasskey(member.user_handle)
    passkey_store(passkey, member)
    options = client.post("/stepup/authenticate/options/").json()
    client.post("/stepup/authenticate/verify/",
                json.dumps({"credential": passkey.assertion(options)}),
                content_type="application/json")
"""

from __future__ import annotations

import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

from stepup.ceremonies.common import relying_party

USER_PRESENT, USER_VERIFIED = 0x01, 0x04


class SoftwarePasskey:
    def __init__(self, user_handle: str):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = bytes_to_base64url(os.urandom(16))
        self.user_handle = user_handle
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        """The public key as WebAuthn stores it (COSE_Key, EC2 P-256, ES256)."""
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def assertion(
        self, options: dict, *, origin: str | None = None, user_verified: bool = True
    ) -> dict:
        """The PublicKeyCredential JSON a browser posts after ``navigator.credentials.get``
        (``user_verified=False``: a device that checked presence only, no fingerprint)."""
        self.sign_count += 1
        client_data = json.dumps(
            {
                "type": "webauthn.get",
                "challenge": options["challenge"],
                "origin": origin or relying_party().origin,
                "crossOrigin": False,
            }
        ).encode()
        authenticator_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([USER_PRESENT | (USER_VERIFIED if user_verified else 0)])
            + self.sign_count.to_bytes(4, "big")
        )
        signed = authenticator_data + hashlib.sha256(client_data).digest()
        signature = self.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": self.credential_id,
            "rawId": self.credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(authenticator_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(self.user_handle.encode()),
            },
            "clientExtensionResults": {},
        }


def passkey_store(passkey: SoftwarePasskey, member, name: str = "Software passkey"):
    """Save ``passkey`` as ``member``'s (as enrollment would); the Passkey row."""
    from staff.models import Passkey

    return Passkey.objects.create(
        staff_member=member,
        name=name,
        credential_id=passkey.credential_id,
        public_key=passkey.cose_public_key(),
        sign_count=0,
    )
