"""First-run secrets for the embedded default.

When ``SECRET_KEY`` or ``FIELD_ENCRYPTION_KEYS`` are not in the environment, idbridge
generates them once into ``<VAR_DIR>/local_secrets.json`` (git-ignored, mode 0600) and
reuses them on every later start, so a demo restart keeps sessions and encrypted data.
Production sets both variables and never touches this file.
"""

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def load_or_create(var_dir: Path) -> dict:
    path = var_dir / "local_secrets.json"
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open() as f:
            return json.load(f)
    except FileNotFoundError:
        pass
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    # Write a private temporary file, then link it into place: link() fails if another
    # process (web and worker start together) got there first, and then we use theirs.
    tmp = var_dir / f".local_secrets.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(values, f)
    try:
        os.link(tmp, path)
    except FileExistsError:
        with path.open() as f:
            values = json.load(f)
    finally:
        tmp.unlink()
    return values
