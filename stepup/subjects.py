"""The SSO session: who is signed in to the IdP, and the log of their authentications.

This is the seam between the SAML IdP and the passkey ceremonies
(``stepup.ceremonies``; sign-in and step-up are ``stepup.ceremonies.signin``):

* after a successful **usernameless passkey sign-in**, call
  ``sso_session_start(request, subject, AuthEvent(PASSKEY, verified_at, user_verified=True))``;
* after a successful **step-up check** (the same person verifies again), call
  ``record_auth_event(request, AuthEvent(PASSKEY, verified_at, user_verified=True))``;
* then redirect to the ``next`` URL the IdP gave ``stepup:authenticate`` (see
  :func:`idbridge.core.access.safe_next_url`), which resumes the pending SAML request.

The IdP reads the session with :func:`sso_session_subject` and
:func:`sso_session_events`; idbridge's own freshness gates read it through
``stepup.gates``. Sign-in UI and WebAuthn live in ``stepup.ceremonies``; nothing here
trusts the browser: only server code that has verified a WebAuthn assertion (user verification
required, sign count checked) may call ``sso_session_start`` or ``record_auth_event``.

The subject stored at sign-in is a snapshot. A deployment that must see role changes or
deprovisioning at once registers a loader with :func:`set_subject_loader`
(``loader(subject_id) -> Subject | None``); returning None ends the SSO session.

The IdP's keys live beside Django's own in the same session (``stepup.*``); they do not
sign anyone in to the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from stepup.policy import AuthEvent, Policy, evaluate

SUBJECT_KEY = "stepup.subject"
# What the pending passkey check asks for and why (mode, reason, SP...), for the ceremony's
# page; set by the SSO flow and by idbridge's own step-up gates, gone once a check passes.
CHALLENGE_KEY = "stepup.challenge"
EVENTS_KEY = "stepup.auth_events"
MAX_EVENTS = 20


@dataclass(frozen=True)
class Subject:
    """A staff member as the IdP asserts them.

    ``subject_id`` must never change for a person (persistent NameIDs are derived from
    it); use the staff record's primary key or UUID, not an email address.
    """

    subject_id: str
    staff_number: str = ""
    email: str = ""
    given_name: str = ""
    surname: str = ""
    display_name: str = ""
    campus_person_id: str = ""
    roles: tuple[str, ...] = field(default_factory=tuple)
    affiliation: tuple[str, ...] = ("staff", "employee")

    def attribute_values(self) -> dict[str, object]:
        values = asdict(self)
        values.pop("subject_id")
        values["roles"] = list(self.roles)
        values["affiliation"] = list(self.affiliation)
        return values

    @property
    def label(self) -> str:
        """How the audit log names this person: ``staff:<staff number or id>``."""
        return f"staff:{self.staff_number or self.subject_id}"

    def to_session(self) -> dict:
        data = asdict(self)
        data["roles"] = list(self.roles)
        data["affiliation"] = list(self.affiliation)
        return data

    @classmethod
    def from_session(cls, data: dict) -> Subject:
        data = dict(data)
        data["roles"] = tuple(data.get("roles") or ())
        data["affiliation"] = tuple(data.get("affiliation") or ())
        return cls(**data)


_loader: Callable[[str], Subject | None] | None = None


def set_subject_loader(loader: Callable[[str], Subject | None] | None) -> None:
    """Register how to reload a subject by id on every SSO request (None: use the snapshot)."""
    global _loader
    _loader = loader


def _event_to_session(event: AuthEvent) -> dict:
    return {
        "method": event.method,
        "at": event.at.isoformat(),
        "user_verified": event.user_verified,
    }


def _event_from_session(data: dict) -> AuthEvent:
    return AuthEvent(
        method=data["method"],
        at=datetime.fromisoformat(data["at"]),
        user_verified=bool(data["user_verified"]),
    )


def sso_session_start(request, subject: Subject, event: AuthEvent) -> None:
    """Sign ``subject`` in to the IdP after a verified passkey sign-in.

    Rotates the session key (no session fixation), replaces any earlier subject and
    forgets their events, then records ``event``.
    """
    previous = request.session.get(SUBJECT_KEY)
    request.session.cycle_key()
    if previous and previous.get("subject_id") != subject.subject_id:
        request.session.pop(EVENTS_KEY, None)
    request.session[SUBJECT_KEY] = subject.to_session()
    record_auth_event(request, event)


def record_auth_event(request, event: AuthEvent) -> None:
    """Append an authentication event to the SSO session's log (newest kept)."""
    events = list(request.session.get(EVENTS_KEY, []))
    events.append(_event_to_session(event))
    request.session[EVENTS_KEY] = events[-MAX_EVENTS:]


def sso_session_subject(request) -> Subject | None:
    data = request.session.get(SUBJECT_KEY)
    if not data:
        return None
    subject = Subject.from_session(data)
    if _loader is not None:
        subject = _loader(subject.subject_id)
        if subject is None:
            sso_session_end(request)
    return subject


def sso_session_events(request) -> list[AuthEvent]:
    if not request.session.get(SUBJECT_KEY):
        return []
    return [_event_from_session(e) for e in request.session.get(EVENTS_KEY, [])]


def verified_passkey_check_at(
    request, *, max_age: timedelta, now: datetime | None = None
) -> datetime | None:
    """When the SSO session's newest user-verified passkey check happened, if it is younger
    than ``max_age`` (whole seconds), else None. ``stepup.policy.evaluate`` decides, as it
    does for every freshness gate (``stepup.gates``)."""
    policy = Policy(action="fresh-check", max_age=int(max_age.total_seconds()))
    decision = evaluate(policy, sso_session_events(request), now or timezone.now())
    return decision.authn_instant if decision.allowed else None


def sso_session_end(request) -> None:
    """Forget the IdP subject and events (Single Logout); the dashboard login is kept."""
    request.session.pop(SUBJECT_KEY, None)
    request.session.pop(EVENTS_KEY, None)
    request.session.pop(CHALLENGE_KEY, None)
