"""The onboarding case's state machine: a pure transition table, no Django imports.

    existing ─invite→ invited   (staff already in Campus at a connection's baseline:
                                 invited by HR, never by a poll)
    discovered ─invite→ invited ─open_link→ proofing ─enroll→ enrolled ─complete→ verified
                           │ expire               │ lock            │ reject
                           ▼                      ▼                 ▼
                        expired                locked            rejected
    any open state ─revoke→ revoked;  verified/enrolled/locked/expired/rejected/revoked
    ─reproof→ invited (a new invitation; old passkeys disabled)
    proofing ─restart→ invited  (HR resends: the applicant lost the session; the record
                                 check starts over on the new link)
    locked ─unlock→ invited     (HR, with a reason: failed attempts cleared, a new link;
                                 passkeys untouched, unlike reproof)

``proofing`` covers the applicant's record check; ``enrolled`` means a passkey is bound
but a required supervised (trusted-referee) step is still open; ``verified`` means every
step the district requires is done and the person can sign in to the IdP.

A case begins in one of ``INITIAL``: ``existing`` for a person a connection's first poll
(its baseline) found already working in the district, ``discovered`` for a person who
appeared in Campus after it (invited automatically). ``first_state`` chooses.
"""

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    EXISTING = "existing"
    DISCOVERED = "discovered"
    INVITED = "invited"
    PROOFING = "proofing"
    ENROLLED = "enrolled"
    VERIFIED = "verified"
    EXPIRED = "expired"
    LOCKED = "locked"
    REJECTED = "rejected"
    REVOKED = "revoked"


class Event(StrEnum):
    INVITE = "invite"  # first invitation, resend, or re-invite after expiry
    OPEN_LINK = "open_link"  # the invitation link was opened: mailbox possession proven
    ENROLL = "enroll"  # record check passed and a passkey registered
    COMPLETE = "complete"  # every required proofing step is done
    EXPIRE = "expire"  # the invitation ran out (after reminders)
    LOCK = "lock"  # too many failed record checks
    REJECT = "reject"  # HR refused the supervised identity-document check
    REVOKE = "revoke"  # no longer staff in Campus, or an administrator revoked access
    REPROOF = "reproof"  # lost device: start over, old passkeys disabled
    RESTART = "restart"  # a resend while proofing: a new link, the record check again
    UNLOCK = "unlock"  # HR lets a locked applicant try again with a new link


# A case's timeline in words: the transitions above and the steps logged beside them.
EVENT_WORDS = {
    Event.INVITE: "Invited",
    Event.OPEN_LINK: "Opened the invitation link",
    Event.ENROLL: "Passkey added",
    Event.COMPLETE: "Onboarding complete",
    Event.EXPIRE: "Invitation expired",
    Event.LOCK: "Locked after too many failed record checks",
    Event.REJECT: "Rejected by HR",
    Event.REVOKE: "Access revoked",
    Event.REPROOF: "Proving identity again (lost device)",
    Event.RESTART: "Started again with a new link",
    Event.UNLOCK: "Unlocked by HR",
    "discover": "Found in Campus",
    "baseline": "Recorded as existing staff",
    "record_check": "Record check",
    "second_factor": "Second check chosen",
    "code_check": "One-time code check",
    "note": "Note",
    "merge": "Merged with another record",
}


def event_words(event: str) -> str:
    """``event`` as the case page's timeline says it ("open_link" → "Opened the invitation
    link"); one nobody described reads as its words ("code_sent" → "Code sent")."""
    return EVENT_WORDS.get(event) or event.replace("_", " ").capitalize()


OPEN = frozenset(
    {
        State.EXISTING,
        State.DISCOVERED,
        State.INVITED,
        State.PROOFING,
        State.ENROLLED,
        State.VERIFIED,
    }
)
INITIAL = frozenset({State.EXISTING, State.DISCOVERED})

TRANSITIONS: dict[Event, tuple[frozenset[State], State]] = {
    Event.INVITE: (
        frozenset({State.EXISTING, State.DISCOVERED, State.INVITED, State.EXPIRED}),
        State.INVITED,
    ),
    Event.OPEN_LINK: (frozenset({State.INVITED, State.PROOFING}), State.PROOFING),
    Event.ENROLL: (frozenset({State.PROOFING}), State.ENROLLED),
    Event.COMPLETE: (frozenset({State.ENROLLED}), State.VERIFIED),
    Event.EXPIRE: (frozenset({State.INVITED, State.PROOFING}), State.EXPIRED),
    Event.LOCK: (frozenset({State.INVITED, State.PROOFING}), State.LOCKED),
    Event.REJECT: (frozenset({State.PROOFING, State.ENROLLED}), State.REJECTED),
    Event.REVOKE: (
        frozenset({*OPEN, State.EXPIRED, State.LOCKED, State.REJECTED}),
        State.REVOKED,
    ),
    Event.REPROOF: (
        frozenset(
            {
                State.ENROLLED,
                State.VERIFIED,
                State.LOCKED,
                State.EXPIRED,
                State.REJECTED,
                State.REVOKED,
            }
        ),
        State.INVITED,
    ),
    Event.RESTART: (frozenset({State.PROOFING}), State.INVITED),
    Event.UNLOCK: (frozenset({State.LOCKED}), State.INVITED),
}


@dataclass(frozen=True)
class IllegalTransition(Exception):
    state: State
    event: Event

    def __str__(self):
        return f"cannot {self.event.value} a case that is {self.state.value}"


# Which of one person's cases a merge keeps (``merge_rank``): the one furthest along, so a
# verified person stays verified; a lock or a rejection outranks a mere invitation (it is
# HR's signal about that person), and a revoked case ranks last.
MERGE_ORDER = (
    State.VERIFIED,
    State.ENROLLED,
    State.PROOFING,
    State.LOCKED,
    State.REJECTED,
    State.INVITED,
    State.EXPIRED,
    State.DISCOVERED,
    State.EXISTING,
    State.REVOKED,
)


def merge_rank(state: State | str | None) -> int:
    """How far along a case in ``state`` is, for keeping one of a person's cases (higher
    wins; no case at all ranks below every state).

    >>> merge_rank("verified") > merge_rank("proofing") > merge_rank("invited")
    True
    >>> merge_rank("invited") > merge_rank("existing") > merge_rank(None)
    True
    """
    if state is None:
        return -1
    return len(MERGE_ORDER) - MERGE_ORDER.index(State(state))


def first_state(*, baseline: bool) -> State:
    """The state a new case begins in: ``existing`` when found by a connection's baseline
    (nobody is invited), ``discovered`` when found after it (the invitation follows)."""
    return State.EXISTING if baseline else State.DISCOVERED


def next_state(state: State | str, event: Event | str) -> State:
    """The state after ``event``; raises IllegalTransition when the table forbids it."""
    state, event = State(state), Event(event)
    sources, target = TRANSITIONS[event]
    if state not in sources:
        raise IllegalTransition(state, event)
    return target


def allowed_events(state: State | str) -> list[Event]:
    state = State(state)
    return [event for event, (sources, _) in TRANSITIONS.items() if state in sources]
