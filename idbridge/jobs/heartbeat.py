"""The heartbeat thread a running job's body runs beside (``job_execute``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connections

log = logging.getLogger(__name__)


class HeartbeatThread:
    """Calls ``beat`` every ``every`` seconds from a thread of its own, so a body waiting
    on one long call (Campus validating a large sync) is not taken for dead. A killed
    worker's thread dies with it; the thread stops once ``beat`` returns False (the job is
    no longer ours) and closes its own database connection."""

    def __init__(self, beat: Callable[[], bool], every: float, name: str):
        self.beat, self.every = beat, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self):
        if self.every > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    if not self.beat():
                        return
                except Exception:  # the next beat may get through (a locked database)
                    log.warning("job heartbeat failed", exc_info=True)
        finally:
            connections.close_all()
