"""WS-Security UsernameToken checks (UsernameToken Profile 1.0/1.1). No Django.

A PasswordDigest is ``Base64(SHA-1(nonce + created + password))`` where ``nonce`` is the
decoded nonce bytes and ``created`` the exact text of ``wsu:Created``. The Created time
must be within ``window`` of now, and each nonce may be used once (the caller keeps the
replay cache: :func:`nonce_key` names the entry).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sandbox.soap.envelope import SoapFault, UsernameToken

INVALID_CREDENTIALS = "InvalidCredentials"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    raw = nonce + created.encode("utf-8") + password.encode("utf-8")
    return base64.b64encode(hashlib.sha1(raw).digest()).decode("ascii")  # noqa: S324 - WSS spec


def failed_authentication(message: str = "The user name or password is not valid.") -> SoapFault:
    return SoapFault("wsse:FailedAuthentication", INVALID_CREDENTIALS, message)


def parse_created(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def check_freshness(token: UsernameToken, now: datetime, window: timedelta) -> None:
    """Refuse a digest token without nonce/created, and any Created outside the window."""
    if token.is_digest and (not token.nonce or not token.created):
        raise SoapFault(
            "wsse:InvalidSecurityToken",
            "InvalidSecurityToken",
            "A PasswordDigest needs a Nonce and a Created time.",
        )
    if token.created is None:
        return
    try:
        created = parse_created(token.created)
    except ValueError:
        raise SoapFault(
            "wsse:InvalidSecurityToken", "InvalidSecurityToken", "Created is not a date-time."
        ) from None
    if abs(now - created) > window:
        raise SoapFault(
            "wsse:MessageExpired",
            "MessageExpired",
            f"Created must be within {int(window.total_seconds())} seconds of the server time.",
        )


def password_matches(token: UsernameToken, password: str) -> bool:
    if token.is_digest:
        try:
            nonce = base64.b64decode(token.nonce or "", validate=True)
        except (binascii.Error, ValueError):
            return False
        expected = password_digest(nonce, token.created or "", password)
        return hmac.compare_digest(expected.encode(), token.password.encode())
    return hmac.compare_digest(password.encode("utf-8"), token.password.encode("utf-8"))


def nonce_key(token: UsernameToken) -> str | None:
    """The replay-cache key of the token's nonce (None when it has none)."""
    if not token.nonce:
        return None
    digest = hashlib.sha256(f"{token.username}\0{token.nonce}".encode()).hexdigest()
    return f"campus:wsse-nonce:{digest}"
