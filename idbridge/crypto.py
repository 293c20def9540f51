"""Field encryption: Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``.

``FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys: the first encrypts, every one
decrypts, so a key is rotated by putting a new key first and running
``manage.py rotate_field_keys``, then dropping the old key.

Decrypted values are handed out as :class:`Secret`, whose ``str()`` and ``repr()`` are
masked: an SSN or client secret that reaches a template, a log line, an error page or an
export by accident shows as ``•••••6789``. Code that needs the value says so with
``.reveal()``.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"


class DecryptionError(Exception):
    """The stored value cannot be decrypted with any configured key."""


class Secret:
    __slots__ = ("_value", "_visible_tail")

    def __init__(self, value: str, visible_tail: int = 0):
        self._value = value
        self._visible_tail = visible_tail

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        tail = self._value[-self._visible_tail :] if self._visible_tail else ""
        return "•" * 5 + tail

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r})"

    def __eq__(self, other):
        if isinstance(other, Secret):
            return self._value == other._value
        if isinstance(other, str):
            return self._value == other
        return NotImplemented

    def __hash__(self):
        return hash(self._value)

    def __bool__(self):
        return bool(self._value)

    def __len__(self):
        return len(self._value)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def current_fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return PREFIX + current_fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not an encrypted field value")
    try:
        return current_fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the first key (any configured key may decrypt it)."""
    try:
        token = current_fernet().rotate(stored[len(PREFIX) :].encode())
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None
    return PREFIX + token.decode()


def generate_key() -> str:
    return Fernet.generate_key().decode()
