"""Run the embedded demo: set up, then web server + Celery worker + Celery beat.

Ctrl-C (or SIGTERM) stops all three cleanly.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from idbridge.core.demo import DemoLogins, demo_setup
from idbridge.vardir import demo_public_url_write


class Command(BaseCommand):
    help = "Set up the embedded demo and run the web server, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--setup-only", action="store_true", help="Set up, then exit.")

    def handle(self, *args, host, port, setup_only, **options):
        wildcard = host in ("0.0.0.0", "::")  # noqa: S104 - the operator chose to listen everywhere
        browse_host = "localhost" if wildcard or host in ("127.0.0.1", "localhost") else host
        url = f"http://{browse_host}:{port}/"
        # Links in mail, Campus connection URLs and WebAuthn's origin follow the demo's URL.
        # So do links printed by management commands run beside it (settings read the file).
        public = os.environ.get("PUBLIC_BASE_URL", url.rstrip("/")).rstrip("/")
        settings.PUBLIC_BASE_URL = public
        demo_public_url_write(settings.VAR_DIR, public)
        env = {**os.environ, "PUBLIC_BASE_URL": public}
        logins = demo_setup(self.stdout)
        if setup_only:
            self._print_login(logins, None)
            return
        health_url = f"http://{'127.0.0.1' if wildcard else host}:{port}/healthz"
        self._serve(_commands(host, port), env, health_url, (logins, url))

    def _serve(self, commands, env, health_url, login) -> None:
        """Start the processes, print the login once the web server answers, and watch
        them until Ctrl-C or SIGTERM (or one of them exits); then stop them all."""
        procs: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, cmd in commands.items():
                # Own process group: Ctrl-C reaches only this command, which then stops
                # each child in order and waits for it.
                procs[name] = subprocess.Popen(cmd, env=env, start_new_session=True)
            if not self._wait_ready(health_url, procs, lambda: stopping):
                raise CommandError("The web server did not become ready; see the log above.")
            self._print_login(*login)
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        raise CommandError(f"The {name} process exited ({proc.returncode}).")
                time.sleep(0.5)
        finally:
            self._stop_all(procs)

    def _wait_ready(self, health_url, procs, is_stopping, timeout=60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not is_stopping():
            if procs["web"].poll() is not None:
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
        if url:
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

    def _stop_all(self, procs):
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if procs:
            self.stdout.write("Stopped.")


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
