"""How long each process holds SQLite's write lock, and how long it waits for it.

For the district-size concurrency test and its bench only (``tests.sqlite_load``): the
product never imports it. Installed in every process of a run (web server, worker, the
driver) by the ``tests.sqlite_load`` app, it patches Django's SQLite backend:

- an explicit transaction (``atomic()``: ``BEGIN IMMEDIATE`` in idbridge's settings) holds
  the lock from the moment ``BEGIN IMMEDIATE`` returns to the end of ``COMMIT`` or
  ``ROLLBACK``; the time ``BEGIN IMMEDIATE`` itself took is a *lock wait* (another
  connection held the lock; SQLite's busy handler slept until it was free);
- a write outside ``atomic()`` is its own implicit transaction (one per row of an
  ``executemany``) — unless a read statement of the same connection is still open (a
  ``QuerySet.iterator()`` being walked): then SQLite keeps the write's transaction, and
  the lock, until that read finishes. Both are timed;
- every ``database is locked`` is counted, with where it happened.

Each process keeps its own figures and writes them to ``<SQLITE_WATCH_DIR>/<pid>.json``
(a background thread, when something changed, and at exit); ``collect`` adds them up.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
LOCK_WAIT_SECONDS = 0.005  # an uncontended BEGIN IMMEDIATE takes microseconds
TOP = 10  # longest holds kept per process

_lock = threading.Lock()
_stats: dict = {}
_dirty = threading.Event()
_owner_pid = None


def _fresh() -> dict:
    return {
        "transactions": 0,
        # The TOP longest: [seconds, kind, where, CPU seconds of the holding thread] (on a
        # busy machine a hold's wall time is mostly waiting for a core).
        "holds": [],
        "lock_waits": 0,
        "lock_wait_seconds": 0.0,
        "longest_lock_wait": 0.0,
        "autocommit_writes": 0,
        # Writes outside a transaction that took longer than LOCK_WAIT_SECONDS: a one-row
        # write takes well under a millisecond, so nearly all of that is a lock wait.
        "slow_autocommit_writes": 0,
        "slow_autocommit_write_seconds": 0.0,
        "longest_autocommit_write": [0.0, ""],
        "writes_under_open_read": 0,
        "locked_errors": [],  # where each "database is locked" happened
    }


def reset() -> None:
    with _lock:
        _stats.clear()
        _stats.update(_fresh())
    _dirty.set()


def _where() -> str:
    """The innermost frame of idbridge's own code (not Django, not this module)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(str(ROOT)) and "/.venv/" not in name and "sqlite_load" not in name:
            return f"{Path(name).relative_to(ROOT)}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def _hold(seconds: float, kind: str, where: str, cpu: float) -> None:
    with _lock:
        _stats["transactions"] += 1
        holds = _stats["holds"]
        if len(holds) < TOP or seconds > holds[-1][0]:
            holds.append([round(seconds, 4), kind, where, round(cpu, 4)])
            holds.sort(key=lambda h: -h[0])
            del holds[TOP:]
    _dirty.set()


def _locked(error: Exception, where: str) -> None:
    if "locked" in str(error) or "busy" in str(error):
        with _lock:
            _stats["locked_errors"].append(where)
        _dirty.set()


def _install_backend() -> None:
    from django.db import OperationalError
    from django.db.backends import utils
    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.db.models.sql import compiler

    begin, commit, rollback = (
        DatabaseWrapper._start_transaction_under_autocommit,
        DatabaseWrapper._commit,
        DatabaseWrapper._rollback,
    )

    def watched_begin(self):
        started = time.perf_counter()
        begin(self)  # a "database is locked" here is counted by watched_execute
        now = time.perf_counter()
        waited = now - started
        if waited > LOCK_WAIT_SECONDS:
            with _lock:
                _stats["lock_waits"] += 1
                _stats["lock_wait_seconds"] += waited
                _stats["longest_lock_wait"] = max(_stats["longest_lock_wait"], waited)
            _dirty.set()
        self._watch_began, self._watch_where = now, _where()
        self._watch_cpu = time.thread_time()

    def ended(end):
        def watched_end(self):
            try:
                return end(self)
            finally:
                began = getattr(self, "_watch_began", None)
                if began is not None:
                    self._watch_began = None
                    cpu = time.thread_time() - self._watch_cpu
                    _hold(time.perf_counter() - began, "transaction", self._watch_where, cpu)

        return watched_end

    DatabaseWrapper._start_transaction_under_autocommit = watched_begin
    DatabaseWrapper._commit = ended(commit)
    DatabaseWrapper._rollback = ended(rollback)

    execute_with_wrappers = utils.CursorWrapper._execute_with_wrappers

    def watched_execute(self, sql, params, many, executor):
        db = self.db
        if db.vendor != "sqlite":
            return execute_with_wrappers(self, sql, params, many, executor)
        write = sql.lstrip()[:7].upper().startswith(WRITES) and not db.in_atomic_block
        open_reads = getattr(db, "_watch_reads", 0)
        if write and open_reads and getattr(db, "_watch_implicit", None) is None:
            db._watch_implicit = (time.perf_counter(), _where(), time.thread_time())
            with _lock:
                _stats["writes_under_open_read"] += 1
        started = time.perf_counter()
        try:
            return execute_with_wrappers(self, sql, params, many, executor)
        except OperationalError as exc:
            _locked(exc, _where())
            raise
        finally:
            if write and not open_reads:
                seconds = time.perf_counter() - started
                with _lock:
                    _stats["autocommit_writes"] += 1
                    if seconds > LOCK_WAIT_SECONDS:
                        _stats["slow_autocommit_writes"] += 1
                        _stats["slow_autocommit_write_seconds"] += seconds
                    if seconds > _stats["longest_autocommit_write"][0]:
                        _stats["longest_autocommit_write"] = [round(seconds, 4), _where()]
                        _dirty.set()

    utils.CursorWrapper._execute_with_wrappers = watched_execute

    cursor_iter = compiler.cursor_iter

    def watched_cursor_iter(cursor, *args):
        db = cursor.db
        db._watch_reads = getattr(db, "_watch_reads", 0) + 1
        try:
            yield from cursor_iter(cursor, *args)
        finally:
            db._watch_reads -= 1
            implicit = getattr(db, "_watch_implicit", None)
            if not db._watch_reads and implicit is not None:
                db._watch_implicit = None
                seconds, cpu = time.perf_counter() - implicit[0], time.thread_time() - implicit[2]
                _hold(seconds, "write under an open read", implicit[1], cpu)

    compiler.cursor_iter = watched_cursor_iter


def flush() -> None:
    folder = os.environ.get("SQLITE_WATCH_DIR")
    if not folder:
        return
    with _lock:
        data = json.dumps({"pid": os.getpid(), "argv": sys.argv[:3], **_stats})
    path = Path(folder) / f"{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(data)
    tmp.replace(path)


def _writer() -> None:
    while True:
        _dirty.wait()
        _dirty.clear()
        try:
            flush()
        except OSError:
            pass
        time.sleep(0.5)


def _start_writer() -> None:
    """The writer thread of this process (a forked worker child starts its own)."""
    global _owner_pid, _lock, _dirty
    if _owner_pid == os.getpid():
        return
    _owner_pid = os.getpid()
    _lock, _dirty = threading.Lock(), threading.Event()  # another thread may have held them
    reset()
    threading.Thread(target=_writer, name="sqlite-watch", daemon=True).start()
    atexit.register(flush)


def install() -> None:
    _install_backend()
    _start_writer()
    os.register_at_fork(after_in_child=_start_writer)


def collect_here() -> dict:
    """This process's figures so far."""
    with _lock:
        return json.loads(json.dumps(_stats))


def collect(folder: Path) -> dict:
    """Every process's figures, added up: the longest holds overall, lock waits, errors."""
    total = _fresh()
    for path in sorted(Path(folder).glob("*.json")):
        one = json.loads(path.read_text())
        who = " ".join(one.get("argv") or [])
        for key in (
            "transactions",
            "lock_waits",
            "autocommit_writes",
            "slow_autocommit_writes",
            "writes_under_open_read",
        ):
            total[key] += one[key]
        total["lock_wait_seconds"] += one["lock_wait_seconds"]
        total["slow_autocommit_write_seconds"] += one["slow_autocommit_write_seconds"]
        total["longest_lock_wait"] = max(total["longest_lock_wait"], one["longest_lock_wait"])
        total["holds"] += [[*hold, who] for hold in one["holds"]]
        if one["longest_autocommit_write"][0] > total["longest_autocommit_write"][0]:
            total["longest_autocommit_write"] = one["longest_autocommit_write"]
        total["locked_errors"] += one["locked_errors"]
    total["holds"] = sorted(total["holds"], key=lambda h: -h[0])[:TOP]
    total["lock_wait_seconds"] = round(total["lock_wait_seconds"], 3)
    total["slow_autocommit_write_seconds"] = round(total["slow_autocommit_write_seconds"], 3)
    total["longest_lock_wait"] = round(total["longest_lock_wait"], 4)
    total["longest_hold"] = total["holds"][0][0] if total["holds"] else 0.0
    return total
