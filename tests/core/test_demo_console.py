"""`make demo`'s console is what a district administrator reads first: the demo's own
sentences and one line per warning or error, while each process's whole log goes to a
file of its own under ``VAR_DIR/log``."""

import json
import os
import signal
import stat
import subprocess
import urllib.error
import urllib.request

from idbridge.core import demo_logs
from idbridge.core.demo_logs import LogTail, console_line, log_folder, log_open
from tests.conftest import wait_for
from tests.core.test_demo_supervisor import Demo

CELERY_BANNER = ("[config]", "[queues]", "celery beat v", "-------------- ")


def _json(level: str, event: str, **extra) -> str:
    record = {"time": "2026-12-04T18:27:14.131+00:00", "level": level, "logger": "x"}
    return json.dumps({**record, "event": event, "request_id": "-", **extra})


def test_a_warning_or_error_of_any_format_becomes_its_message_on_one_line():
    failed = _json("ERROR", "Internal Server Error: /x", logger="django.request", status_code=500)
    assert console_line(failed) == "Internal Server Error: /x"
    host = "django.security.DisallowedHost"
    disallowed = _json("ERROR", "Invalid HTTP_HOST header: 'e'.", logger=host, status_code=400)
    assert console_line(disallowed) == "Invalid HTTP_HOST header: 'e'."
    assert console_line(_json("WARNING", "Not Found: /nope", status_code=404)) == (
        "Not Found: /nope"
    )
    assert console_line(_json("ERROR", "Poll failed\nwith details", exc="Traceback…")) == (
        "Poll failed"
    )
    celery = "[2026-12-04 12:27:17,458: ERROR/MainProcess] Received an unregistered task"
    assert console_line(celery) == "Received an unregistered task"
    gunicorn = "[2026-12-04 18:27:17 +0000] [1234] [ERROR] Connection in use: ('x', 8000)"
    assert console_line(gunicorn) == "Connection in use: ('x', 8000)"
    assert console_line(_json("ERROR", "token=abc123 leaked")) == "token=[REDACTED] leaked"


def test_requests_banners_and_other_lines_stay_in_the_file():
    for line in (
        _json("INFO", "request", path="/healthz", status=200),
        _json("WARNING", "x.py:1: CryptographyDeprecationWarning: CFB…", logger="py.warnings"),
        *(
            _json("WARNING", f"{words}: /favicon.ico", logger="django.request", status_code=code)
            for words, code in (
                ("Not Found", 404),
                ("Forbidden", 403),
                ("Bad Request", 400),
                ("Method Not Allowed", 405),
            )
        ),
        "[2026-12-04 12:27:17,458: INFO/MainProcess] Connected to filesystem://localhost//",
        " -------------- [queues]",
        "celery beat v5.7.0 (collider) is starting.",
        "{not json",
        "",
    ):
        assert console_line(line) is None, line


def test_the_tail_reads_whole_new_lines_and_the_end_of_a_traceback(tmp_path):
    path = tmp_path / "worker.log"
    path.write_text(_json("ERROR", "from an earlier run") + "\n")
    tail = LogTail(path)
    with path.open("a") as log:
        log.write(_json("WARNING", "first") + "\n" + _json("ERROR", "half"))
    assert tail.messages() == ["first"]
    with path.open("a") as log:
        log.write("\n")
        log.write("Traceback (most recent call last):\n  File 'x.py', line 1\n")
        log.write("ModuleNotFoundError: No module named 'nope'\n")
    assert tail.messages() == ["half", "ModuleNotFoundError: No module named 'nope'"]
    assert tail.messages() == []


def test_a_log_grown_too_large_is_set_aside_when_its_process_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_logs, "LOG_MOST_BYTES", 100)
    folder = log_folder(tmp_path)
    path = folder / "web.log"
    path.write_text(_json("WARNING", "old") + "\n")
    tail = LogTail(path)
    os.close(log_open(path))
    assert (folder / "web.log.1").exists() and path.stat().st_size == 0
    with path.open("a") as log:
        log.write(_json("WARNING", "new") + "\n")
    assert tail.messages() == ["new"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local URL
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_console_shows_the_demos_sentences_and_the_files_the_whole_logs(tmp_var_dir):
    demo = Demo(tmp_var_dir)
    logs = tmp_var_dir / "log"
    try:
        wait_for(lambda: demo.said("Press Ctrl-C"), 180, what="the demo's start")
        base = f"http://127.0.0.1:{demo.port}"
        for _ in range(3):
            assert _get(f"{base}/healthz") == 200
            assert _get(f"{base}/no-such-page/") == 404
        web_log = lambda: (logs / "web.log").read_text()  # noqa: E731
        wait_for(lambda: web_log().count('"path": "/no-such-page/"') == 3, what="requests")
        wait_for(lambda: "Not Found: /no-such-page/" in web_log(), what="the 404 logged")
        # The worker starts beside the web server; on a busy machine after it.
        worker = logs / "worker.log"
        worker_log = lambda: worker.read_text() if worker.exists() else ""  # noqa: E731
        wait_for(lambda: "[queues]" in worker_log(), 120, what="the worker's start")
    finally:
        demo.proc.send_signal(signal.SIGINT)
        try:
            demo.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            demo.proc.kill()
    console = "".join(demo.lines)
    assert demo.proc.returncode == 0, console[-3000:]
    assert "idbridge is running at http://localhost:" in console
    assert f"Logs: {logs / 'web.log'}, worker.log, beat.log, demo.log" in console
    assert not [line for line in demo.lines if line.lstrip().startswith("{")], console
    assert "Not Found" not in console
    for noise in (*CELERY_BANNER, "No hostname was supplied", "Traceback", "Warning:"):
        assert noise not in console, noise
    if os.geteuid() == 0:
        assert "Running as root: fine for a demo;" in console
    assert "superuser privileges" not in (logs / "worker.log").read_text()
    assert '"path": "/healthz"' in web_log()
    for name in ("web.log", "worker.log", "beat.log", "demo.log"):
        assert "No hostname was supplied" not in (logs / name).read_text(), name
        assert stat.S_IMODE((logs / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
