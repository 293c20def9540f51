"""GetPerson calls in flight at once, answered strictly in the order they were asked.

Only the calling thread touches the shared cache and renews the session; worker threads
make GetPerson calls with the session they were handed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from idbridge.connectors.soap.transport import SessionRefused
from idbridge.connectors.types import CampusPerson, PermanentCampusError

if TYPE_CHECKING:
    from idbridge.connectors.soap.connector import SoapConnector

# GetPerson calls queued ahead per call in flight: workers stay busy while the caller
# records what came back.
LOOKAHEAD_PER_CALL = 8
_END = object()


class GetPersonPipeline:
    """GetPerson calls for keys in a given order, answered in that order.

    At most ``max_concurrency`` calls run at once (worker threads), up to
    ``LOOKAHEAD_PER_CALL`` times as many are queued; with ``max_concurrency`` 1 every call
    runs in the caller's thread, one at a time. The caller's thread hands each call its
    session and renews a refused one; a call that fails for good raises from ``next()``,
    and leaving the ``with`` block drops the calls not started yet.
    """

    def __init__(self, connector: SoapConnector):
        self.connector = connector
        concurrency = max(1, connector.config.max_concurrency)
        self.depth = concurrency * LOOKAHEAD_PER_CALL if concurrency > 1 else 1
        self.pool = (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="soap-getperson")
            if concurrency > 1
            else None
        )
        self.pending: deque[tuple[str, str, Future]] = deque()

    def __enter__(self) -> GetPersonPipeline:
        return self

    def __exit__(self, *exc_info):
        for _, _, future in self.pending:
            future.cancel()
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    @property
    def has_room(self) -> bool:
        return len(self.pending) < self.depth

    def submit(self, key: str):
        session_id = self.connector.sessions.current()
        self.pending.append((key, session_id, self._start(key, session_id)))

    def _start(self, key: str, session_id: str) -> Future:
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            person_id = None
        if self.pool is not None and person_id is not None:
            return self.pool.submit(self.connector.get_person_with, person_id, session_id)
        future = Future()
        try:
            result = (
                None if person_id is None else self.connector.get_person_with(person_id, session_id)
            )
        except Exception as exc:  # handed to the caller by next(), like a worker's error
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def next(self) -> tuple[str, CampusPerson | None]:
        """The answer for the oldest key submitted (waiting for it if need be)."""
        key, session_id, future = self.pending.popleft()
        try:
            return key, future.result()
        except SessionRefused:
            fresh = self.connector.sessions.after_refusal(session_id)
        try:
            return key, self._start(key, fresh).result()
        except SessionRefused:
            raise PermanentCampusError("GetPerson: the new session was refused too.") from None

    def in_order(self, keys: Iterable[str]) -> Iterator[tuple[str, CampusPerson | None]]:
        keys = iter(keys)
        more = True
        while True:
            while more and self.has_room:
                key = next(keys, _END)
                if key is _END:
                    more = False
                else:
                    self.submit(key)
            if not self.pending:
                return
            yield self.next()
