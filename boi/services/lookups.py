"""Campus reads for the pre-flight, ``MAX_CONCURRENCY`` at a time, answered in the order
they were asked, each distinct question asked once per run.

Worker threads only send requests. What a call writes stays on the job's thread: while the
lookups run, the client's token cache is a memory copy (read from the shared cache, and
what changed written back, by the job's thread), and a failed call's error-log records are
handed back with its answer and written by the job's thread as that answer is taken — so
answers, progress and the error log come out in input order, as with one call at a time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# Campus BOI calls in flight at once (the connection has no setting for it).
MAX_CONCURRENCY = 4
# Calls queued ahead per call in flight: workers stay busy while the job writes answers.
LOOKAHEAD_PER_CALL = 8
_UNSET = object()


class _TokenCache:
    """The client's token cache while lookups run: one memory copy for every thread."""

    def __init__(self, shared, key: str):
        self.shared, self.lock = shared, threading.Lock()
        self.values: dict[str, Any] = {key: shared.get(key)}
        self.changed: dict[str, tuple[Any, float | None]] = {}

    def get(self, key, default=None):
        with self.lock:
            value = self.values.get(key)
        return default if value is None else value

    def set(self, key, value, timeout=None):
        with self.lock:
            self.values[key] = value
            self.changed[key] = (value, timeout)

    def delete(self, key):
        self.set(key, None)

    def add(self, key, value, timeout=None) -> bool:
        with self.lock:
            if self.values.get(key) is not None:
                return False
        self.set(key, value, timeout)
        return True

    def flush(self) -> None:
        """Write what changed to the shared cache (the job's thread only)."""
        with self.lock:
            changed, self.changed = self.changed, {}
        for key, (value, timeout) in changed.items():
            if value is None:
                self.shared.delete(key)
            else:
                self.shared.set(key, value, timeout=timeout)


class CampusLookups:
    """``with CampusLookups(client) as lookups``: ``in_order`` maps a lookup over items with
    up to ``concurrency`` calls in flight; ``once`` asks a question at most once per run.
    ``client`` is the BOI client or another Campus connector with a ``tokens`` source (the
    OneRoster one of the people search); its failures are recorded when it has an
    ``on_error`` hook."""

    def __init__(self, client, *, concurrency: int | None = None):
        self.client = client
        self.concurrency = max(1, MAX_CONCURRENCY if concurrency is None else concurrency)
        self.local = threading.local()
        self.memo: dict[Any, Future] = {}
        self.memo_lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> CampusLookups:
        tokens = self.client.tokens
        self.hooked = hasattr(self.client, "on_error")
        self.shared_cache = tokens.cache
        self.record_failure = self.client.on_error if self.hooked else None
        self.cache = tokens.cache = _TokenCache(tokens.cache, tokens.cache_key)
        if self.hooked:
            self.client.on_error = self._failed
        if self.concurrency > 1:
            self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="boi-preflight")
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.tokens.cache = self.shared_cache
        if self.hooked:
            self.client.on_error = self.record_failure
        self.cache.flush()

    def _failed(self, failure) -> None:
        noted = getattr(self.local, "failures", None)
        if noted is not None:
            noted.append(failure)  # a worker: recorded when its answer is taken
        elif self.record_failure is not None:
            self.record_failure(failure)

    def _run(self, lookup: Callable, item) -> tuple[Any, BaseException | None, list]:
        self.local.failures = failures = []
        try:
            return lookup(item), None, failures
        except Exception as exc:
            return None, exc, failures
        finally:
            self.local.failures = None

    def _take(self, future: Future):
        answer, error, failures = future.result()
        for failure in failures:
            if self.record_failure is not None:
                self.record_failure(failure)
        self.cache.flush()
        if error is not None:
            raise error
        return answer

    def in_order(self, items: Iterable, lookup: Callable) -> Iterator[tuple[Any, Any]]:
        """``(item, lookup(item))`` in the order of ``items``. The first lookup runs on the
        job's thread (it fetches the token if none is cached, once); a lookup that fails
        raises here, in its turn."""
        items = iter(items)
        first = next(items, _UNSET)
        if first is _UNSET:
            return
        yield first, lookup(first)
        self.cache.flush()
        pending: deque[tuple[Any, Future]] = deque()
        depth = self.concurrency * LOOKAHEAD_PER_CALL if self.pool is not None else 1
        try:
            for item in items:
                pending.append((item, self._start(lookup, item)))
                if len(pending) >= depth:
                    item, future = pending.popleft()
                    yield item, self._take(future)
            while pending:
                item, future = pending.popleft()
                yield item, self._take(future)
        finally:
            for _, future in pending:
                future.cancel()

    def _start(self, lookup: Callable, item) -> Future:
        if self.pool is not None:
            return self.pool.submit(self._run, lookup, item)
        future = Future()
        future.set_result(self._run(lookup, item))
        return future

    def once(self, key, ask: Callable[[], Any]):
        """The answer to ``ask`` for ``key``: asked the first time, remembered after."""
        with self.memo_lock:
            future = self.memo.get(key)
            asking = future is None
            if asking:
                future = self.memo[key] = Future()
        if asking:
            try:
                future.set_result(ask())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()
