"""The pending request: a validated AuthnRequest waiting for its answer.

It is kept in the session under a random key (at most :data:`MAX_PENDING` per session,
the oldest go first) and, for the HTTP-POST binding, travels once in a signed token
(:func:`to_token`, :func:`from_token`) through a same-site redirect.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing

from stepup.policy import RequestedContext
from stepup.saml.requests.values import AuthnRequestInfo
from stepup.sso import PENDING_KEY

MAX_PENDING = 10
RESUME_SALT = "stepup.sso.resume"


@dataclass(frozen=True)
class Pending:
    request_id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str
    force_authn: bool
    is_passive: bool
    requested: RequestedContext | None
    name_id_format: str | None
    received_at: datetime

    @classmethod
    def from_info(cls, info: AuthnRequestInfo, received_at: datetime) -> Pending:
        taken = {
            f.name: getattr(info, f.name)
            for f in dataclasses.fields(cls)
            if f.name != "received_at"
        }
        return cls(**taken, received_at=received_at)

    def to_dict(self) -> dict:
        """JSON-ready: the session and the resume token are JSON. (Field by field, as
        ``dataclasses.asdict`` would give it, without its deep copies.)"""
        data = {f.name: getattr(self, f.name) for f in _FIELDS}
        if self.requested is not None:
            data["requested"] = {
                "class_refs": tuple(self.requested.class_refs),
                "comparison": self.requested.comparison,
            }
        data["received_at"] = self.received_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Pending:
        """The inverse of :meth:`to_dict` (TypeError, KeyError or ValueError when the
        data is not one)."""
        requested = data["requested"]
        if requested is not None:
            requested = RequestedContext(tuple(requested["class_refs"]), requested["comparison"])
        return cls(
            **{
                **data,
                "requested": requested,
                "received_at": datetime.fromisoformat(data["received_at"]),
            }
        )


_FIELDS = dataclasses.fields(Pending)


def remember(request, pending: Pending) -> str:
    """Keep a pending request in the session (at most MAX_PENDING: the oldest go)."""
    store = dict(request.session.get(PENDING_KEY, {}))
    oldest_first = sorted(store, key=lambda k: store[k]["received_at"])
    for old in oldest_first[: max(0, len(store) - MAX_PENDING + 1)]:
        store.pop(old)
    key = secrets.token_urlsafe(16)
    store[key] = pending.to_dict()
    request.session[PENDING_KEY] = store
    return key


def recall(request, key: str) -> Pending | None:
    """The pending request kept under ``key``, if any."""
    data = request.session.get(PENDING_KEY, {}).get(key)
    return None if data is None else Pending.from_dict(data)


def forget(request, key: str) -> None:
    store = dict(request.session.get(PENDING_KEY, {}))
    if store.pop(key, None) is not None:
        request.session[PENDING_KEY] = store


def to_token(pending: Pending) -> str:
    """A signed, compressed token carrying the pending request."""
    return signing.dumps(pending.to_dict(), salt=RESUME_SALT, compress=True)


def from_token(token: str) -> Pending:
    """The pending request in a token from :func:`to_token`; ValueError when the token is
    forged, expired (STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS) or malformed."""
    try:
        data = signing.loads(
            token, salt=RESUME_SALT, max_age=settings.STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS
        )
        return Pending.from_dict(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValueError("not a valid resume token") from exc
