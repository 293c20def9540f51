"""`make demo` keeps serving when one of its processes dies (real processes, a private
VAR_DIR, the embedded default).

A district trying the demo kills the Celery worker with SIGKILL in the middle of a Campus
poll: the web server keeps answering, the demo says so in words and starts the worker
again, the new worker settles the interrupted poll at once ("failed", Retry, a reason;
not JOBS_STALE_SECONDS later) and runs a poll queued afterwards. The web server, killed
too, is started again. Ctrl-C then stops everything, leaving no process behind.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from tests.browser.test_demo import _processes_with
from tests.conftest import ROOT, free_port, wait_for
from tests.core.test_files_at_rest import _env, _run

QUEUE_POLL = """
import time
from staff.models import CampusConnection
from staff.polling import poll_queue
connection = CampusConnection.objects.filter(kind="rest").first()
for _ in range(600):
    job = poll_queue(connection_id=connection.id)
    if job:
        print(job.id)
        break
    time.sleep(0.1)
"""
SLOW_CAMPUS_MS = 10_000  # each sandbox request; below the connection's 15 s timeout


class Demo:
    """``manage.py demo --port …`` on ``var_dir``, its output collected as it comes."""

    def __init__(self, var_dir: Path):
        self.var_dir, self.port = var_dir, free_port()
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "demo", "--port", str(self.port)],
            cwd=ROOT,
            env=_env(var_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def child(self, *words: bytes) -> int | None:
        """The pid of the demo's child process whose command line holds ``words``."""
        for proc in Path("/proc").iterdir():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (proc / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid and all(w in cmdline for w in words):
                return int(proc.name)
        return None

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/healthz"
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
                return response.status == 200
        except OSError:
            return False

    def manage(self, *args: str) -> str:
        return _run(["manage.py", *args], self.var_dir)

    def job(self, job_id: int) -> tuple[str, str]:
        with sqlite3.connect(self.var_dir / "idbridge.sqlite3", timeout=10) as db:
            query = "select state, error from jobs_job where id = ?"
            return db.execute(query, (job_id,)).fetchone()

    def poll_queue(self) -> int:
        return int(self.manage("shell", "-c", QUEUE_POLL).split()[-1])


def _worker_pid(demo):
    return demo.child(b"celery", b"worker")


def test_a_killed_worker_or_web_server_is_started_again_and_the_demo_keeps_serving(
    tmp_var_dir,
):
    demo = Demo(tmp_var_dir)
    try:
        wait_for(lambda: demo.said("idbridge is running at"), 180, what="the demo's start")
        demo.manage("campus_faults", "--set", f"latency_ms={SLOW_CAMPUS_MS}")
        interrupted = demo.poll_queue()
        wait_for(lambda: demo.job(interrupted)[0] == "running", 60, what="the poll running")

        worker = _worker_pid(demo)
        os.kill(worker, signal.SIGKILL)  # the worker only, not its pool processes
        assert demo.healthy()
        wait_for(
            lambda: demo.said(
                "The background worker stopped (killed by SIGKILL); starting it again."
            ),
            what="the demo saying the worker stopped",
        )
        wait_for(lambda: _worker_pid(demo) not in (None, worker), what="a new worker")
        state, error = wait_for(
            lambda: (row := demo.job(interrupted))[0] == "failed" and row,
            60,
            what="the interrupted poll settled",
        )
        assert error.startswith(
            "The worker stopped while reading new and changed staff from Campus"
        ), error
        assert error.endswith("Retry runs it again."), error

        demo.manage("campus_faults", "--clear")
        later = demo.poll_queue()
        wait_for(lambda: demo.job(later)[0] == "succeeded", 90, what="a later poll finished")

        web = demo.child(b"gunicorn")
        os.kill(web, signal.SIGKILL)
        wait_for(
            lambda: demo.said("The web server stopped (killed by SIGKILL); starting it again."),
            what="the demo saying the web server stopped",
        )
        wait_for(demo.healthy, 60, what="the web server answering again")
        assert demo.child(b"gunicorn") not in (None, web)
    finally:
        demo.proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            demo.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            demo.proc.kill()
    output = "".join(demo.lines)
    assert demo.proc.returncode == 0, output[-3000:]
    assert "Stopped." in output and "killing it" not in output
    wait_for(lambda: _processes_with(str(tmp_var_dir)) == [], 10, what="no process left")
