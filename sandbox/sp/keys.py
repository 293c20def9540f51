"""The sandbox SP's own key pair: generated on first use into ``<VAR_DIR>/campus_sp/``.

RSA-2048 with a self-signed certificate (``idbridge.certificates``: SAML pins the
certificate from metadata; chains and dates are not used). pysaml2 wants file paths, so
the pair lives on disk: the folder is mode 0700, the key and the certificate 0600 (like
everything under ``VAR_DIR``), and ``var/`` is git-ignored. Several processes may start at
once (web workers, the demo step): the pair is written to a private temporary folder and
renamed into place, and a process that loses the race uses the winner's pair.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from idbridge.certificates import self_signed_key_pair

FOLDER = "campus_sp"
KEY_NAME = "sp.key"
CERT_NAME = "sp.crt"


@dataclass(frozen=True)
class KeyFiles:
    key_file: str
    cert_file: str

    @property
    def certificate_pem(self) -> str:
        return Path(self.cert_file).read_text()


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _generate(folder: Path) -> None:
    pair = self_signed_key_pair("Campus sandbox SAML SP", "idbridge Campus sandbox")
    _write(folder / KEY_NAME, pair.private_key_pem, 0o600)
    _write(folder / CERT_NAME, pair.certificate_pem, 0o600)


def sp_key_files(var_dir: Path) -> KeyFiles:
    """The SP's key and certificate files, generated the first time they are asked for."""
    folder = Path(var_dir) / FOLDER
    files = KeyFiles(str(folder / KEY_NAME), str(folder / CERT_NAME))
    if (folder / CERT_NAME).exists():
        return files
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(var_dir) / f".{FOLDER}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    tmp.mkdir(mode=0o700)
    try:
        _generate(tmp)
        try:
            os.rename(tmp, folder)  # atomic; fails when another process got there first
        except OSError:
            if not (folder / CERT_NAME).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return files
