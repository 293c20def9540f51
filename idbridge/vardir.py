"""``VAR_DIR`` and every file idbridge writes: private to the user it runs as.

The embedded default keeps secrets on disk: the SQLite database and its ``-wal`` and
``-shm`` files (sessions, cache, audit log), the Celery filesystem broker (task
arguments), first-run keys, the sandbox SP's key, encrypted HR uploads. Anyone who can
read them can sign in as someone else (a session key from ``django_session`` opens
``/admin/``), so files are 0600 and folders 0700:

- :func:`umask_restrict` sets the process umask to 077. It runs when the ``idbridge``
  package is imported, which every entry point does first (``manage.py`` through the
  settings module, gunicorn through ``idbridge.wsgi``, the ASGI server through
  ``idbridge.asgi``, ``celery -A idbridge`` worker and beat, and the demo's child
  processes), so whatever creates a file later (SQLite, kombu, Celery beat's shelve,
  ``boi.storage``) creates it private without being told.
- :func:`var_dir_prepare` creates ``VAR_DIR`` 0700 and repairs an existing install: it
  takes the group and other bits off every file and folder under it that this user owns
  (a database created 0644 by an earlier version becomes 0600).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
# The address ``make demo`` serves at (from its HOST and PORT), for the management commands
# run beside it: their links follow it unless PUBLIC_BASE_URL is set.
DEMO_PUBLIC_URL_FILE = "demo_public_url"


def umask_restrict() -> None:
    """New files 0600 and folders 0700 in this process and the processes it starts."""
    os.umask(PRIVATE_UMASK)


def var_dir_prepare(var_dir: Path) -> Path:
    """Create ``var_dir`` (0700) if needed and make everything under it private."""
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private_make(var_dir)
    for root, folders, files in os.walk(var_dir):
        for name in folders + files:
            _private_make(Path(root) / name)
    return var_dir


def _private_make(path: Path) -> None:
    """Drop the group and other bits of ``path`` if this user owns it (not symlinks)."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
            return
        mode = stat.S_IMODE(info.st_mode)
        if mode & PRIVATE_UMASK:
            os.chmod(path, mode & ~PRIVATE_UMASK)
    except FileNotFoundError:  # removed meanwhile (a broker message consumed)
        return


def demo_public_url_read(var_dir: Path) -> str:
    """The address the demo last served ``var_dir``'s data at; "" when it never ran."""
    try:
        return (var_dir / DEMO_PUBLIC_URL_FILE).read_text().strip()
    except FileNotFoundError:
        return ""


def demo_public_url_write(var_dir: Path, url: str) -> None:
    (var_dir / DEMO_PUBLIC_URL_FILE).write_text(url + "\n")


def public_dir_prepare(path: Path) -> Path:
    """Create ``path`` and its missing parents 0755: a folder of files anyone may read
    (collected static files outside ``VAR_DIR``)."""
    previous = os.umask(0o022)
    try:
        path.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(previous)
    return path
