"""Signed checkpoints of the audit chain, kept outside the database.

Every seal appends one line to ``AUDIT_CHECKPOINT_FILE`` (JSON Lines): the chain length
and head position ``seq``, the head ``hash``, the last sealed entry's append ``last_id``,
the time, and an Ed25519 signature over the canonical JSON of those fields. The file is
rotated by size (``.1`` … ``.N``). It is the anchor the database cannot rewrite: someone
who deletes the chain's last entries and rewrites the chain head leaves a chain that
verifies on its own, but one shorter than (or different from) a signed checkpoint.

Why Ed25519 rather than an HMAC derived from SECRET_KEY: checking a checkpoint needs only
the public key (written next to the private one, ``.pub``), so a copy of the file kept
elsewhere can be checked by an auditor who cannot forge one; and rotating SECRET_KEY
does not invalidate every earlier checkpoint. The private key is generated on first use
into ``AUDIT_SIGNING_KEY_FILE`` (mode 0600, under VAR_DIR by default).
"""

import base64
import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

from idbridge.audit.chain import canonical


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    count: int
    hash: str
    last_id: int
    at: str

    def describe(self) -> str:
        return f"the checkpoint of {self.at} (entry #{self.seq}, head {self.hash[:12]}…)"


def _key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_FILE)


def _create_key(path: Path) -> None:
    """Write a new private key (0600) and its public half; the first process to link wins."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    finally:
        tmp.unlink()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path.with_suffix(".pub").write_bytes(public)


def public_key_pem() -> str:
    public = signing_key().public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def signing_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        _create_key(path)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _signed_bytes(checkpoint: Checkpoint) -> bytes:
    return canonical({"v": 1, **asdict(checkpoint)})


def sign(checkpoint: Checkpoint) -> str:
    line = {"v": 1, **asdict(checkpoint)}
    line["sig"] = base64.b64encode(signing_key().sign(_signed_bytes(checkpoint))).decode()
    return json.dumps(line, sort_keys=True, separators=(",", ":"))


def _path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


@contextmanager
def _file_lock(path: Path):
    """Serializes rotation and appends between processes (web, workers, commands)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _rotate_if_full(path: Path) -> None:
    if not path.exists() or path.stat().st_size < settings.AUDIT_CHECKPOINT_MAX_BYTES:
        return
    keep = max(1, settings.AUDIT_CHECKPOINT_KEEP)
    for n in range(keep, 1, -1):
        older = path.with_name(f"{path.name}.{n - 1}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n}"))
    path.replace(path.with_name(f"{path.name}.1"))


def append(checkpoint: Checkpoint) -> None:
    path = _path()
    line = sign(checkpoint) + "\n"
    with _file_lock(path):
        _rotate_if_full(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as f:
            f.write(line)


@dataclass(frozen=True)
class Read:
    checkpoint: Checkpoint | None
    problem: str = ""
    line: str = ""  # as signed and stored


def _public_key() -> Ed25519PublicKey | None:
    """The key checkpoints are checked with: from the private key, else its ``.pub``."""
    path = _key_path()
    if path.exists():
        return signing_key().public_key()
    if path.with_suffix(".pub").exists():
        return serialization.load_pem_public_key(path.with_suffix(".pub").read_bytes())
    return None


def _parse(line: str, where: str, public: Ed25519PublicKey) -> Read:
    try:
        data = json.loads(line)
        signature = base64.b64decode(data.pop("sig"))
        if data.pop("v") != 1:
            return Read(None, f"{where}: unknown checkpoint version")
        checkpoint = Checkpoint(**data)
        public.verify(signature, _signed_bytes(checkpoint))
    except InvalidSignature:
        return Read(None, f"{where}: the signature does not match (the checkpoint was edited)")
    except (ValueError, KeyError, TypeError):
        return Read(None, f"{where}: not a readable checkpoint")
    return Read(checkpoint, line=line)


def latest(limit: int) -> list[Read]:
    """Up to ``limit`` most recent checkpoints, newest first, across the rotated files."""
    path, found, public = _path(), [], _public_key()
    if public is None:
        if path.exists():
            return [Read(None, f"the signing key {_key_path()} is missing: nothing to check with")]
        return []
    names = [path] + [path.with_name(f"{path.name}.{n}") for n in range(1, 100)]
    for name in names:
        if not name.exists():
            break
        lines = name.read_text().splitlines()
        for number in range(len(lines), 0, -1):
            if lines[number - 1].strip():
                found.append(_parse(lines[number - 1], f"{name.name} line {number}", public))
            if len(found) >= limit:
                return found
    return found
