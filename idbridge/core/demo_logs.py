"""The demo's logs: each process writes to a file of its own, the console gets one line
per warning or error.

``make demo`` runs the web server, a Celery worker and Celery beat. Their output (every
request as a JSON line, Celery's banner, tracebacks) goes to ``VAR_DIR/log/web.log``,
``worker.log`` and ``beat.log``; the demo command's own records (the set-up's) to
``demo.log``. Files are 0600 in a 0700 folder like everything under ``VAR_DIR``
(``idbridge.vardir``). A file larger than :data:`LOG_MOST_BYTES` when its process starts
is renamed ``<name>.log.1`` (replacing the one before), so logs do not grow forever.

The console shows what a person needs: the demo's own sentences and, for each warning or
error any process logs, one line ``worker: <message>`` (:func:`console_line`: no JSON, no
stack trace; the whole record stays in the file). A request refused with a 4xx status
(``django.request``'s "Not Found: /favicon.ico") and Python's warnings to developers (a
library's deprecation) stay in the files; a 5xx and Django's security records (a disallowed
host, a refused CSRF check) still say one line; Celery's superuser warning is turned off, the
demo saying in one line that it runs as root.
"""

from __future__ import annotations

import copy
import json
import logging
import logging.config
import os
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from idbridge.core.logging import redact_text

LOG_FOLDER = "log"
LOG_MOST_BYTES = 10 * 1024 * 1024
CONSOLE_LEVELS = ("WARNING", "ERROR", "CRITICAL")
_LEVEL = "(?P<level>" + "|".join(CONSOLE_LEVELS) + ")"
# Celery's own format: "[2026-12-04 12:27:17,458: WARNING/MainProcess] message".
_CELERY = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,.]+: " + _LEVEL + r"/[^\]]*\] ?(?P<message>.*)")
# gunicorn's: "[2026-12-04 18:27:17 +0000] [1234] [ERROR] message".
_GUNICORN = re.compile(r"^\[\d{4}-\d\d-\d\d [^\]]+\] \[\d+\] \[" + _LEVEL + r"\] (?P<message>.*)")
_TRACEBACK = "Traceback (most recent call last):"
# Python's warnings to developers (``logging.captureWarnings``): in the files only.
WARNINGS_LOGGER = "py.warnings"
# Django's record of each refused or failed request; its 4xx ones stay in the files.
REQUEST_LOGGER = "django.request"


def log_folder(var_dir: Path) -> Path:
    """``VAR_DIR/log``, created 0700 if missing."""
    folder = Path(var_dir) / LOG_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def log_open(path: Path) -> int:
    """A file descriptor appending to ``path`` (0600), for a process's stdout and stderr;
    a file grown past :data:`LOG_MOST_BYTES` is first renamed ``<name>.1``."""
    try:
        if path.stat().st_size > LOG_MOST_BYTES:
            path.replace(path.with_name(path.name + ".1"))
    except FileNotFoundError:
        pass
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def console_line(line: str) -> str | None:
    """The message of a warning or error ``line`` of a log, on one line; None for other
    lines (requests, banners, a traceback's frames)."""
    line = line.rstrip("\n")
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not isinstance(record, dict) or record.get("level") not in CONSOLE_LEVELS:
            return None
        if file_only(record.get("logger"), record.get("status_code")):
            return None
        message = str(record.get("event", ""))
    elif found := _CELERY.match(line) or _GUNICORN.match(line):
        message = found["message"]
    else:
        return None
    message = message.strip().splitlines()[0].strip() if message.strip() else ""
    return redact_text(message) or None


def file_only(logger: object, status: object) -> bool:
    """Whether a warning or error record of ``logger`` (with a request's ``status``, if
    any) stays in the file: Python's warnings to developers and a request Django answered
    with a 4xx status (a browser asking for /favicon.ico, a mistyped address)."""
    if logger == WARNINGS_LOGGER:
        return True
    return logger == REQUEST_LOGGER and isinstance(status, int) and 400 <= status < 500


class LogTail:
    """What a process has written to its log file since it was last read: the lines
    :func:`console_line` keeps, and the last line of each traceback printed outside a
    log record (a process that failed to start)."""

    def __init__(self, path: Path):
        """Read from the end of what ``path`` holds now (earlier runs were shown then)."""
        self.path, self.in_traceback = path, False
        try:
            info = path.stat()
            self.file_id, self.offset = info.st_ino, info.st_size
        except FileNotFoundError:
            self.file_id, self.offset = None, 0

    def messages(self) -> list[str]:
        try:
            with self.path.open("rb") as file:
                file_id = os.fstat(file.fileno()).st_ino
                if file_id != self.file_id:  # a new file (the last one grew too large)
                    self.file_id, self.offset = file_id, 0
                file.seek(self.offset)
                data = file.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        found = []
        for line in complete.decode("utf-8", errors="replace").splitlines():
            if message := self._message(line):
                found.append(message)
        return found

    def _message(self, line: str) -> str | None:
        if line.startswith(_TRACEBACK):
            self.in_traceback = True
            return None
        if self.in_traceback:
            if not line or line[0].isspace():
                return None
            self.in_traceback = False
            return redact_text(line.strip())
        return console_line(line)


class SayHandler(logging.Handler):
    """A log record of the demo command itself as one line on the console."""

    def __init__(self, say: Callable[[str], None], name: str):
        super().__init__(logging.WARNING)
        self.say, self.name_said = say, name

    def emit(self, record: logging.LogRecord) -> None:
        if file_only(record.name, getattr(record, "status_code", None)):
            return
        message = (record.getMessage().strip().splitlines() or [""])[0]
        self.say(f"{self.name_said}: {redact_text(message)}")


def demo_logging_configure(folder: Path, say: Callable[[str], None]) -> Path:
    """Send the demo command's own records to ``demo.log`` (JSON, as everywhere) and its
    warnings and errors to the console, one line each, through ``say``. Set as
    ``settings.LOGGING``: a ``django.setup()`` run later in the demo (a WSGI application
    serving the set-up's requests) configures the same."""
    path = folder / "demo.log"
    os.close(log_open(path))
    config = copy.deepcopy(settings.LOGGING)
    filters = config["handlers"]["console"]["filters"]
    config["handlers"] = {
        "demo_file": {
            "class": "logging.FileHandler",
            "filename": str(path),
            "formatter": "json",
            "filters": filters,
        },
        "demo_console": {"()": SayHandler, "say": say, "name": "demo"},
    }
    config["root"] = {**config["root"], "handlers": ["demo_file", "demo_console"]}
    settings.LOGGING = config
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    return path
