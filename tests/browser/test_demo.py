"""A new user's first minutes: `make demo`'s command serves the dashboard, the printed
break-glass login (password + TOTP) works."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.browser
# The demo's break-glass login for a first look (README: "Try it").
LOGIN = r"username (\S+)\s+password (\S+)\s+TOTP secret (\S+)"


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (our private VAR_DIR)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                state = (proc / "stat").read_text().split()[2]
                if state != "Z":
                    found.append(int(proc.name))
        except OSError:
            continue
    return found


def _demo_env(var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.update({"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "idbridge.settings"})
    return env


def test_demo_serves_the_dashboard_and_the_printed_login_works(page, tmp_var_dir):
    port = free_port()
    env = _demo_env(tmp_var_dir)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 120
        login = url = None
        while time.monotonic() < deadline and login is None:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line)
            if m := re.search(r"idbridge is running at (\S+)", line):
                url = m.group(1)
            if m := re.search(LOGIN, line):
                login = m.groups()
        assert login and url, "".join(lines[-30:])
        assert url == f"http://localhost:{port}/"
        assert len(_processes_with(str(tmp_var_dir))) >= 4  # demo, web, worker, beat

        page.goto(url)
        assert "/accounts/login/" in page.url
        page.get_by_role("link", name="break-glass account").click()
        page.get_by_label("Account name").fill(login[0])
        page.get_by_label("Password").fill(login[1])
        page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(login[2]).now())
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(url)
        assert page.get_by_role("heading", name="District identity bridge").is_visible()
        for section in ("Onboarding", "Step-up", "Business Office", "Audit", "Campus sandbox"):
            assert (
                page.get_by_role("navigation", name="Main")
                .get_by_role("link", name=section)
                .is_visible()
            )
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
        assert page.get_by_role("heading", name="Audit log").is_visible()
    finally:
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
        stopped_after = time.monotonic() - started
        rest = proc.stdout.read()
    assert proc.returncode == 0, rest
    assert "Stopped." in rest
    assert "killing" not in rest, f"a process needed SIGKILL after {stopped_after:.1f}s"
    assert _processes_with(str(tmp_var_dir)) == []


def test_running_the_demo_setup_twice_keeps_the_same_login(tmp_var_dir):
    env = _demo_env(tmp_var_dir)
    outputs = [
        subprocess.run(
            [sys.executable, "manage.py", "demo", "--setup-only"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    logins = [re.search(LOGIN, out).groups() for out in outputs]
    assert logins[0] == logins[1]
    # Standard management commands keep working against the same database.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "second",
            "--email",
            "second@district.example",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
