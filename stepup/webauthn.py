"""The WebAuthn protocol behind four functions; py_webauthn does the work.

The ceremonies (``stepup.ceremonies``) call it. No Django imports: callers keep the
challenge (in the session) between ``prepare_*`` and ``verify_*``. User verification —
the fingerprint or face check on the device — is required on both sides: asked for in
the options *and* checked on the server (py_webauthn does not check it unless told to).

    options_json, challenge = prepare_registration(rp, user_handle=..., ...)
    ... browser: navigator.credentials.create(PublicKeyCredential.parseCreationOptionsFromJSON(...))
    registration = verify_registration(rp, challenge, credential_json)
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


@dataclass(frozen=True)
class RelyingParty:
    id: str  # host name, e.g. "idbridge.district.example" ("localhost" in the demo)
    name: str
    origin: str  # e.g. "https://idbridge.district.example"


@dataclass(frozen=True)
class Registration:
    """A verified registration: what to store for the new passkey."""

    credential_id: str  # base64url
    public_key: bytes
    sign_count: int
    aaguid: str
    is_backed_up: bool
    transports: list[str]


@dataclass(frozen=True)
class Assertion:
    credential_id: str
    user_handle: str | None
    new_sign_count: int
    user_verified: bool


class PasskeyError(Exception):
    """The browser's answer does not verify; the message is safe to show.
    ``user_not_verified``: the answer's authenticator data says the device did not verify
    the person (the UV flag is off)."""

    def __init__(self, message: str, *, user_not_verified: bool = False):
        super().__init__(message)
        self.user_not_verified = user_not_verified


log = logging.getLogger(__name__)

# py_webauthn's refusals (English sentences about the protocol), by a part of their text,
# in the words of the person at the device; anything else gets the last sentence.
_REFUSALS = (
    (
        "user verification",
        "Your device did not verify that it is you (no fingerprint, face or screen-lock check"
        " was made). Try again and complete the check on your device.",
    ),
    (
        "sign count",
        "This passkey was refused: its use counter went backwards, as happens when a"
        " passkey has been copied to another device. Use the device you set it up on; if"
        " this keeps happening, ask HR.",
    ),
    ("challenge", "This check had expired or was already answered. Try again."),
    (
        "origin",
        "This passkey was made for another address of this site. Open the site at its"
        " usual address and try again.",
    ),
    (
        "rp id",
        "This passkey was made for another address of this site. Open the site at its"
        " usual address and try again.",
    ),
)
_REFUSED = "Your device's answer could not be verified. Try again; if it keeps failing, ask HR."


def _refusal(exc: Exception, doing: str) -> PasskeyError:
    """``exc`` from py_webauthn as a sentence people read; its own text goes to the log."""
    log.info("webauthn answer refused", extra={"doing": doing, "detail": str(exc)[:300]})
    text = str(exc).lower()
    words = next((words for part, words in _REFUSALS if part in text), _REFUSED)
    return PasskeyError(f"{doing} {words}")


def prepare_registration(
    rp: RelyingParty,
    *,
    user_handle: str,
    user_name: str,
    display_name: str,
    exclude_credential_ids: list[str] = (),
    timeout_ms: int = 120_000,
) -> tuple[str, bytes]:
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle.encode(),
        user_name=user_name,
        user_display_name=display_name,
        timeout=timeout_ms,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in exclude_credential_ids
        ],
    )
    return webauthn.options_to_json(options), options.challenge


def verify_registration(rp: RelyingParty, challenge: bytes, credential_json: str) -> Registration:
    try:
        verified = webauthn.verify_registration_response(
            credential=credential_json,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise _refusal(exc, "The passkey was not added.") from None
    try:
        transports = json.loads(credential_json).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        transports = []
    return Registration(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=str(verified.aaguid),
        is_backed_up=bool(verified.credential_backed_up),
        transports=[str(t) for t in transports][:10],
    )


def prepare_authentication(
    rp: RelyingParty, *, allow_credential_ids: list[str] = (), timeout_ms: int = 120_000
) -> tuple[str, bytes]:
    """Options for a sign-in; an empty allow list means usernameless (discoverable)."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=timeout_ms,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in allow_credential_ids
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return webauthn.options_to_json(options), options.challenge


def credential_id_of(credential_json: str) -> tuple[str, str | None]:
    """(credential id, user handle) claimed by a sign-in answer, before verification."""
    try:
        parsed = webauthn.helpers.parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise PasskeyError("The browser's answer is not a WebAuthn assertion.") from None
    handle = parsed.response.user_handle
    return bytes_to_base64url(parsed.raw_id), handle.decode() if handle else None


def verify_authentication(
    rp: RelyingParty,
    challenge: bytes,
    credential_json: str,
    *,
    public_key: bytes,
    sign_count: int,
) -> Assertion:
    """Verify a sign-in; a sign count that does not grow (a cloned key) is refused."""
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential_json,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        refusal = _refusal(exc, "The passkey check failed.")
        refusal.user_not_verified = not _user_verified_flag(credential_json)
        raise refusal from None
    credential_id, user_handle = credential_id_of(credential_json)
    return Assertion(
        credential_id=credential_id,
        user_handle=user_handle,
        new_sign_count=verified.new_sign_count,
        user_verified=verified.user_verified,
    )


def _user_verified_flag(credential_json: str) -> bool:
    """The UV flag of an assertion's authenticator data (True when it cannot be read: the
    answer is then refused for another reason)."""
    try:
        parsed = webauthn.helpers.parse_authentication_credential_json(credential_json)
        data = webauthn.helpers.parse_authenticator_data(parsed.response.authenticator_data)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return True
    return bool(data.flags.uv)
