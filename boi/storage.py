"""Uploaded HR files at rest: encrypted in chunks, so an SSN never touches the disk in clear.

Each chunk of at most ``CHUNK`` bytes is one Fernet token on its own line; reading decrypts
one chunk at a time, so memory stays bounded whatever the file size. Uploads are written
through :class:`EncryptedWriter` as they arrive (see ``boi.uploads``): Django's temporary
upload file, which would hold the file in clear, is never used.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from boi.hrfile.reading import EncodingSniffer
from idbridge import crypto

CHUNK = 256 * 1024


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str
    encoding: str
    mixed_lines: tuple = ()  # a UTF-8 line and a Windows-1252 one (EncodingSniffer)


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "boi_uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class EncryptedWriter:
    def __init__(self):
        self.name = secrets.token_hex(16) + ".enc"
        self._digest = hashlib.sha256()
        self._sniffer = EncodingSniffer()
        self._fernet = crypto.current_fernet()
        self._pending = b""
        self.size = 0
        fd = os.open(upload_dir() / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._out = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self._digest.update(chunk)
        self._sniffer.feed(chunk)
        self.size += len(chunk)
        self._pending += chunk
        while len(self._pending) >= CHUNK:
            self._out.write(self._fernet.encrypt(self._pending[:CHUNK]) + b"\n")
            self._pending = self._pending[CHUNK:]

    def close(self) -> StoredFile:
        if self._pending:
            self._out.write(self._fernet.encrypt(self._pending) + b"\n")
            self._pending = b""
        self._out.close()
        self._sniffer.feed(b"", final=True)
        sniffer = self._sniffer
        digest = self._digest.hexdigest()
        return StoredFile(self.name, self.size, digest, sniffer.encoding, sniffer.mixed_lines)

    def abort(self) -> None:
        self._out.close()
        delete(self.name)


def store(chunks: Iterable[bytes]) -> StoredFile:
    writer = EncryptedWriter()
    try:
        for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def read(name: str) -> Iterator[bytes]:
    fernet = crypto.current_fernet()
    with open(upload_dir() / _safe(name), "rb") as f:
        for line in f:
            line = line.strip()
            if line:
                yield fernet.decrypt(line)


def head(name: str, size: int = 4096) -> bytes:
    for chunk in read(name):
        return chunk[:size]
    return b""


def delete(name: str) -> None:
    if name:
        (upload_dir() / _safe(name)).unlink(missing_ok=True)


def _safe(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("bad storage name")
    return name
