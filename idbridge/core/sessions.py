"""Django's database sessions, written only when their content changed.

Django saves a session whenever a key was set, even to the value it already had, or set
and removed again in the same request. The IdP does that on every SSO answer (a pending
request is kept, then forgotten; the NameID issued is noted again), which made every
signed Response cost a session write. This store remembers what it loaded and reports
the session as modified only when the content, or the key, differs: an unchanged
session is neither written nor sent back as a cookie, exactly as Django treats a session
nobody touched. It is read with a query compiled once per process
(:class:`idbridge.db.CompiledRead`). ``SESSION_ENGINE = "idbridge.core.sessions"``.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from idbridge.db import CompiledRead

_read = CompiledRead(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date")[
        :1
    ],
    "key",
)


def _copied(data):
    """A deep copy of decoded JSON (dicts, lists, scalars): what ``copy.deepcopy`` gives,
    at a fraction of its cost."""
    if isinstance(data, dict):
        return {key: _copied(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copied(value) for value in data]
    return data


class SessionStore(db.SessionStore):
    _loaded: tuple[str | None, dict] | None = None

    def _get_session_from_db(self):
        """Django's own read (the row, unless it has expired), without compiling it."""
        row = _read.first(key=self.session_key) if self.session_key else None
        if row is None or row[1] <= timezone.now():
            self._session_key = None
            return None
        return SimpleNamespace(session_data=row[0])

    def load(self):
        data = super().load()
        self._loaded = (self._session_key, _copied(data))
        return data

    @property
    def modified(self) -> bool:
        if not self._modified:
            return False
        loaded = self._loaded
        unchanged = (
            loaded is not None
            and loaded[0] == self._session_key
            and loaded[1] == getattr(self, "_session_cache", None)
        )
        return not unchanged

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = value

    def save(self, must_create=False):
        super().save(must_create=must_create)
        if self._loaded is not None and self._loaded[0] == self._session_key:
            # Saved mid-request under the same key: compare later changes with this.
            self._loaded = (self._session_key, copy.deepcopy(self._session_cache))

    def flush(self):
        self._loaded = None
        super().flush()

    def cycle_key(self):
        self._loaded = None
        super().cycle_key()
