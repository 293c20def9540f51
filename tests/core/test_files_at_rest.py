"""Files at rest: everything the embedded default writes under VAR_DIR is private to the
user idbridge runs as (files 0600, folders 0700), whatever umask it was started with."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lists every path under VAR_DIR with its mode, while this process's database connection
# (and so the SQLite -wal and -shm files) is still open after a write.
WRITE_AND_LIST = """
import json, os, stat
from pathlib import Path
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
session = SessionStore()
session["seen"] = True
session.create()
root = Path(settings.VAR_DIR)
print(json.dumps({str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
                  for p in root.rglob("*")}))
"""


def _env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env = {k: v for k, v in env.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")}
    env.update({"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "idbridge.settings"})
    env.pop("STATIC_ROOT", None)
    env.update(extra)
    return env


def _run(args: list[str], var_dir: Path, **extra) -> str:
    """Run ``args`` as an operator would, from a shell whose umask lets others read."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(var_dir, **extra),
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0o022),  # noqa: PLW1509 - no threads start before exec
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in root.rglob("*")}


def _not_private(modes: dict[str, int], root: Path) -> dict[str, str]:
    wrong = {}
    for name, mode in modes.items():
        expected = 0o700 if (root / name).is_dir() else 0o600
        if mode != expected:
            wrong[name] = oct(mode)
    return wrong


@pytest.fixture(scope="module")
def demo_var_dir(tmp_path_factory):
    """A VAR_DIR after ``manage.py demo --setup-only`` (created by the command itself)."""
    var_dir = tmp_path_factory.mktemp("at-rest") / "var"
    _run(["manage.py", "demo", "--setup-only"], var_dir)
    return var_dir


def test_the_demo_setup_leaves_every_file_0600_and_every_folder_0700(demo_var_dir):
    modes = _modes(demo_var_dir)
    assert stat.S_IMODE(demo_var_dir.stat().st_mode) == 0o700
    names = ("idbridge.sqlite3", "local_secrets.json", "broker/queue", "campus_sp/sp.key")
    for name in (*names, "log", "log/demo.log"):
        assert name in modes
    assert _not_private(modes, demo_var_dir) == {}


def test_the_database_wal_and_shm_files_are_private_while_in_use(demo_var_dir):
    out = _run(["manage.py", "shell", "-c", WRITE_AND_LIST], demo_var_dir)
    modes = json.loads(out.strip().splitlines()[-1])
    assert {"idbridge.sqlite3-wal", "idbridge.sqlite3-shm"} <= set(modes)
    assert _not_private(modes, demo_var_dir) == {}


def test_an_install_left_readable_by_others_is_repaired_on_start(tmp_path):
    var_dir = tmp_path / "var"
    (var_dir / "broker" / "queue").mkdir(parents=True)
    for name in ("idbridge.sqlite3", "idbridge.sqlite3-wal", "broker/queue/message.msg"):
        (var_dir / name).write_text("old")
        (var_dir / name).chmod(0o644)
    for folder in (var_dir, var_dir / "broker", var_dir / "broker" / "queue"):
        folder.chmod(0o755)
    _run(["manage.py", "check"], var_dir)
    assert stat.S_IMODE(var_dir.stat().st_mode) == 0o700
    assert _not_private(_modes(var_dir), var_dir) == {}


@pytest.mark.parametrize("module", ["idbridge.wsgi", "idbridge.asgi", "idbridge.celery"])
def test_every_entry_point_makes_new_files_private(tmp_path, module):
    code = f"import os, {module}; print(oct(os.umask(0o077)))"
    assert _run(["-c", code], tmp_path / "var").strip().endswith("0o77")


def test_static_files_collected_into_var_dir_are_private_elsewhere_public(tmp_path):
    var_dir, public = tmp_path / "var", tmp_path / "public" / "static"
    _run(["manage.py", "collectstatic", "--noinput", "-v", "0"], var_dir)
    assert _not_private(_modes(var_dir), var_dir) == {}
    _run(["manage.py", "collectstatic", "--noinput", "-v", "0"], var_dir, STATIC_ROOT=str(public))
    modes = _modes(public)
    assert modes and {oct(m) for m in modes.values()} <= {"0o644", "0o755"}
    assert stat.S_IMODE(public.stat().st_mode) == 0o755
