"""Run the embedded demo: set up, then web server + Celery worker + Celery beat.

Their logs go to files under ``VAR_DIR/log`` (``idbridge.core.demo_logs``); the console
shows the demo's own sentences and one line per warning or error. Ctrl-C (or SIGTERM)
stops all three cleanly.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from idbridge.core.demo import DemoLogins, demo_setup
from idbridge.core.demo_logs import LogTail, demo_logging_configure, log_folder, log_open
from idbridge.vardir import demo_public_url_write


class Command(BaseCommand):
    help = "Set up the embedded demo and run the web server, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--setup-only", action="store_true", help="Set up, then exit.")

    def execute(self, *args, **options):
        # Before the system checks, whose URL import wakes libraries' warnings to developers.
        self.logs = log_folder(settings.VAR_DIR)
        self.own_log = demo_logging_configure(self.logs, self._say)
        return super().execute(*args, **options)

    def handle(self, *args, host, port, setup_only, **options):
        wildcard = host in ("0.0.0.0", "::")  # noqa: S104 - the operator chose to listen everywhere
        browse_host = "localhost" if wildcard or host in ("127.0.0.1", "localhost") else host
        url = f"http://{browse_host}:{port}/"
        # Links in mail, Campus connection URLs and WebAuthn's origin follow the demo's URL.
        # So do links printed by management commands run beside it (settings read the file).
        public = os.environ.get("PUBLIC_BASE_URL", url.rstrip("/")).rstrip("/")
        settings.PUBLIC_BASE_URL = public
        demo_public_url_write(settings.VAR_DIR, public)
        env = {**os.environ, "PUBLIC_BASE_URL": public, "PYTHONWARNINGS": _python_warnings()}
        logins = demo_setup(self.stdout)
        if setup_only:
            self._print_login(logins, None)
            return
        health_url = f"http://{'127.0.0.1' if wildcard else host}:{port}/healthz"
        self._serve(_commands(host, port), env, health_url, (logins, url), self.logs)

    def _serve(self, commands, env, health_url, login, logs: Path) -> None:
        """Start the processes, print the login once the web server answers, and watch
        them until Ctrl-C or SIGTERM, starting again any that stops; then stop them all."""
        procs = {
            name: Supervised(name, cmd, env, logs / f"{name}.log") for name, cmd in commands.items()
        }
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for supervised in procs.values():
                supervised.start()
            if not self._wait_ready(health_url, procs, lambda: stopping):
                raise CommandError(
                    f"The web server did not become ready; see {_shown(procs['web'].log)}."
                )
            self._print_login(*login)
            self._print_logs([*(p.log for p in procs.values()), self.own_log])
            while not stopping:
                for supervised in procs.values():
                    supervised.check(self._say)
                time.sleep(0.5)
        finally:
            self._stop_all([p for p in procs.values() if p.proc is not None])

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _wait_ready(self, health_url, procs, is_stopping, timeout=60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not is_stopping():
            for supervised in procs.values():
                supervised.tell(self._say)
            if procs["web"].proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(health_url, timeout=2) as response:  # noqa: S310 - local URL
                    if response.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    def _print_login(self, logins: DemoLogins, url):
        self.stdout.write("")
        if url:
            self.stdout.write(self.style.SUCCESS(f"idbridge is running at {url}"))
        self._print_demo_admin(logins.admin)
        username, password, secret = logins.break_glass
        self.stdout.write(
            f"Break-glass login for a first look (Sign in > break-glass account): "
            f"username {username}  password {password}  TOTP secret {secret}"
        )
        self.stdout.write(
            "  The code: an authenticator app with that secret, or "
            f"`oathtool --totp -b {secret}`. Each use is audited and mailed to district admins."
        )
        self.stdout.flush()

    def _print_logs(self, logs: list[Path]) -> None:
        first, *rest = logs
        names = ", ".join([_shown(first), *(path.name for path in rest)])
        self.stdout.write(f"Logs: {names} (warnings and errors also appear here).")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self.stdout.write(
                "Running as root: fine for a demo; run a district's idbridge as its own user."
            )
        self.stdout.write("Press Ctrl-C to stop the web server, worker and beat.")
        self.stdout.flush()

    def _print_demo_admin(self, admin: dict | None) -> None:
        """The demo administrator: a seeded staff member who signs in with a passkey."""
        if not admin:
            return
        base = settings.PUBLIC_BASE_URL
        who = f"{admin['name'] or 'the demo administrator'} (staff {admin['staff_number']})"
        if admin.get("problem"):
            self.stdout.write(f"Demo administrator {who}: no enrollment link ({admin['problem']}).")
        elif admin.get("link_path"):
            self.stdout.write(
                f"Demo administrator {who}, {', '.join(admin['roles'])}: "
                f"one-time enrollment link {base}{admin['link_path']}"
            )
            self.stdout.write(
                "  Open it, create a passkey, then sign in to the dashboard with it at "
                f"{base}/accounts/login/ (no password)."
            )
        else:
            self.stdout.write(
                f"Demo administrator {who} has a passkey: sign in with it at {base}/accounts/login/"
            )

    def _stop_all(self, procs: list["Supervised"]):
        for each in procs:
            if each.proc.poll() is None:
                each.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for each in procs:
            try:
                each.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{PROCESS_WORDS[each.name]} did not stop in time; killing it.")
            group_kill(each.proc)
        if procs:
            self.stdout.write("Stopped.")


# What the demo's processes are called in what it prints.
PROCESS_WORDS = {
    "web": "The web server",
    "worker": "The background worker",
    "beat": "The scheduler",
}
RESTART_FIRST_SECONDS, RESTART_MOST_SECONDS = 1.0, 30.0
STEADY_SECONDS = 60.0  # a process that ran this long is started again after the first wait


def group_kill(proc: subprocess.Popen) -> None:
    """Kill what is left of ``proc``'s process group (a killed worker's pool processes, a
    killed web server's workers) and reap ``proc``."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def exit_words(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


class Supervised:
    """One of the demo's processes, in a session of its own (Ctrl-C reaches only the demo
    command, which stops each child in order). When it stops, whatever it left is killed
    and it is started again after a short wait, doubled each time it stops again soon."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env = name, command, env
        self.log, self.tail = log, LogTail(log)
        self.proc: subprocess.Popen | None = None
        self.started = self.wait = 0.0
        self.restart_at: float | None = None

    def start(self) -> None:
        output = log_open(self.log)
        try:
            self.proc = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=output, start_new_session=True
            )
        finally:
            os.close(output)
        self.started, self.restart_at = time.monotonic(), None

    def tell(self, say) -> None:
        """Say, one line each, the warnings and errors it logged since last told."""
        for message in self.tail.messages():
            say(f"{self.name}: {message}")

    def check(self, say) -> None:
        """Start it again when its wait is over; notice (and say) that it stopped."""
        self.tell(say)
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
            return
        code = self.proc.poll()
        if code is None:
            return
        group_kill(self.proc)
        steady = now - self.started >= STEADY_SECONDS
        again = min(self.wait * 2, RESTART_MOST_SECONDS)
        self.wait = RESTART_FIRST_SECONDS if steady or not self.wait else again
        self.restart_at = now + self.wait
        say(f"{PROCESS_WORDS[self.name]} stopped ({exit_words(code)}); starting it again.")


def _shown(path: Path) -> str:
    """``path`` as a person at this shell reaches it: relative to here when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _python_warnings() -> str:
    """The processes' Python warnings, without Celery's superuser warning (the demo says
    in one line that it runs as root)."""
    ours = "ignore:You're running the worker with superuser privileges"
    return ",".join(w for w in (os.environ.get("PYTHONWARNINGS", ""), ours) if w)


def _commands(host: str, port: int) -> dict[str, list[str]]:
    """The demo's processes: the web server, a Celery worker and Celery beat."""
    web = ["gunicorn", "idbridge.wsgi:application", "-c", "python:idbridge.gunicorn_conf"]
    web += ["--bind", f"{host}:{port}", "--log-level", "warning"]
    # Light and quick to stop on a laptop, unless the environment sizes it.
    if not os.environ.get("WEB_WORKERS"):
        web += ["--workers", "2"]
    if not os.environ.get("WEB_GRACEFUL_TIMEOUT_SECONDS"):
        web += ["--graceful-timeout", "5"]
    worker = ["celery", "-A", "idbridge", "worker", "--loglevel", "WARNING"]
    worker += ["--concurrency", "2", "--hostname", "demo@%h"]
    beat = ["celery", "-A", "idbridge", "beat", "--loglevel", "WARNING"]
    beat += ["--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME, "--pidfile="]
    processes = {"web": web, "worker": worker, "beat": beat}
    return {name: [sys.executable, "-m", *args] for name, args in processes.items()}
