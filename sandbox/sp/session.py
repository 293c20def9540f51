"""The Campus portal's own session: who signed in through SAML, and their step-ups.

The sandbox SP keeps everything in a session of its own (djangosaml2's
``SamlSessionMiddleware``: cookie ``SAML_SESSION_COOKIE_NAME``, applied only to the
sandbox SP's views), as a Campus on another host would. Nobody is signed in to Django:
the Campus user is not a ``User`` row, holds no permission and cannot open idbridge's
dashboard; signing out of the portal touches neither idbridge's dashboard login nor its
IdP session (only SAML Single Logout ends that).

Stored (JSON): ``campus.sp.portal`` — NameID, attributes, class reference,
AuthnInstant, when the portal sign-in happened; ``campus.sp.step_ups`` — per sensitive
page, the class reference and AuthnInstant of its last accepted step-up assertion;
``campus.sp.changes`` — the simulated changes made (newest first, a few).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils.decorators import decorator_from_middleware
from djangosaml2.middleware import SamlSessionMiddleware

from sandbox.sp.pages import StepUp

PORTAL_KEY = "sandbox.sp.portal"
STEP_UPS_KEY = "sandbox.sp.step_ups"
CHANGES_KEY = "sandbox.sp.changes"
MAX_CHANGES = 10

# A view decorator: request.saml_session is the portal's session (its own cookie).
with_portal_session = decorator_from_middleware(SamlSessionMiddleware)


@dataclass(frozen=True)
class PortalUser:
    """The person the IdP asserted, as the portal knows them."""

    name_id: str
    name_id_format: str
    issuer: str
    attributes: dict[str, list[str]]
    class_ref: str
    authn_instant: datetime
    signed_in_at: datetime
    session_index: str = ""

    @property
    def display_name(self) -> str:
        for name in ("displayName", "cn"):
            if self.attributes.get(name):
                return self.attributes[name][0]
        given = (self.attributes.get("givenName") or [""])[0]
        surname = (self.attributes.get("sn") or self.attributes.get("surname") or [""])[0]
        return f"{given} {surname}".strip() or "Campus user"

    @property
    def staff_number(self) -> str:
        return (self.attributes.get("employeeNumber") or [""])[0]

    def to_session(self) -> dict:
        data = asdict(self)
        data["authn_instant"] = self.authn_instant.isoformat()
        data["signed_in_at"] = self.signed_in_at.isoformat()
        return data

    @classmethod
    def from_session(cls, data: dict) -> PortalUser:
        data = dict(data)
        data["authn_instant"] = datetime.fromisoformat(data["authn_instant"])
        data["signed_in_at"] = datetime.fromisoformat(data["signed_in_at"])
        return cls(**data)


@dataclass(frozen=True)
class StepUpRecord:
    """The last accepted step-up assertion for one page."""

    class_ref: str
    authn_instant: datetime
    received_at: datetime
    assertion_id: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def step_up(self) -> StepUp:
        return StepUp(class_ref=self.class_ref, authn_instant=self.authn_instant)

    def to_session(self) -> dict:
        data = asdict(self)
        data["authn_instant"] = self.authn_instant.isoformat()
        data["received_at"] = self.received_at.isoformat()
        return data

    @classmethod
    def from_session(cls, data: dict) -> StepUpRecord:
        data = dict(data)
        data["authn_instant"] = datetime.fromisoformat(data["authn_instant"])
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        return cls(**data)


def portal_user(session) -> PortalUser | None:
    data = session.get(PORTAL_KEY)
    return PortalUser.from_session(data) if data else None


def portal_sign_in(session, user: PortalUser) -> None:
    """Start (or refresh) the portal session. A different person starts from nothing."""
    current = portal_user(session)
    if current is not None and current.name_id != user.name_id:
        portal_sign_out(session)
    session[PORTAL_KEY] = user.to_session()


def portal_sign_out(session) -> None:
    """Forget the portal session, its step-ups and djangosaml2's state (flush = new key)."""
    session.flush()


def step_up_get(session, page_key: str) -> StepUpRecord | None:
    data = (session.get(STEP_UPS_KEY) or {}).get(page_key)
    return StepUpRecord.from_session(data) if data else None


def step_up_store(session, page_key: str, record: StepUpRecord) -> None:
    step_ups = dict(session.get(STEP_UPS_KEY) or {})
    step_ups[page_key] = record.to_session()
    session[STEP_UPS_KEY] = step_ups


def step_up_forget(session, page_key: str) -> None:
    """A refused step-up for a page also ends the page's earlier one: the person was asked
    again and did not confirm."""
    step_ups = dict(session.get(STEP_UPS_KEY) or {})
    if step_ups.pop(page_key, None) is not None:
        session[STEP_UPS_KEY] = step_ups


def change_record(session, *, page_title: str, done: str, at: datetime, by: str) -> None:
    changes = list(session.get(CHANGES_KEY) or [])
    changes.insert(0, {"page": page_title, "done": done, "at": at.isoformat(), "by": by})
    session[CHANGES_KEY] = changes[:MAX_CHANGES]


def changes_list(session) -> list[dict]:
    return [{**c, "at": datetime.fromisoformat(c["at"])} for c in (session.get(CHANGES_KEY) or [])]
