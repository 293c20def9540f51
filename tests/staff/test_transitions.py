import pytest

from staff.transitions import (
    TRANSITIONS,
    Event,
    IllegalTransition,
    State,
    allowed_events,
    next_state,
)

HAPPY_PATH = [
    (State.DISCOVERED, Event.INVITE, State.INVITED),
    (State.INVITED, Event.OPEN_LINK, State.PROOFING),
    (State.PROOFING, Event.ENROLL, State.ENROLLED),
    (State.ENROLLED, Event.COMPLETE, State.VERIFIED),
]


@pytest.mark.parametrize("state,event,after", HAPPY_PATH)
def test_the_happy_path_moves_one_step_at_a_time(state, event, after):
    assert next_state(state, event) == after


@pytest.mark.parametrize(
    "state,event",
    [
        (State.DISCOVERED, Event.ENROLL),  # no passkey before proofing
        (State.INVITED, Event.COMPLETE),
        (State.VERIFIED, Event.INVITE),  # a verified person is re-proofed, not re-invited
        (State.REVOKED, Event.OPEN_LINK),
        (State.LOCKED, Event.OPEN_LINK),
        (State.REVOKED, Event.REVOKE),
        (State.DISCOVERED, Event.REPROOF),
    ],
)
def test_forbidden_transitions_are_refused(state, event):
    with pytest.raises(IllegalTransition, match=f"cannot {event.value}"):
        next_state(state, event)


def test_every_state_but_revoked_can_be_revoked():
    for state in State:
        assert (Event.REVOKE in allowed_events(state)) == (state != State.REVOKED)


def test_reproof_always_leads_back_to_an_invitation():
    assert TRANSITIONS[Event.REPROOF][1] == State.INVITED
    for state in (State.VERIFIED, State.LOCKED, State.REVOKED, State.EXPIRED):
        assert next_state(state, Event.REPROOF) == State.INVITED


def test_unknown_states_and_events_are_errors():
    with pytest.raises(ValueError):
        next_state("nonsense", Event.INVITE)
    with pytest.raises(ValueError):
        next_state(State.INVITED, "dance")


def test_a_resend_while_proofing_restarts_at_an_invitation():
    assert next_state(State.PROOFING, Event.RESTART) == State.INVITED
    assert allowed_events(State.PROOFING).count(Event.RESTART) == 1
    for state in set(State) - {State.PROOFING}:
        with pytest.raises(IllegalTransition, match="cannot restart"):
            next_state(state, Event.RESTART)


def test_only_a_locked_case_is_unlocked_and_it_is_invited_again():
    assert next_state(State.LOCKED, Event.UNLOCK) == State.INVITED
    for state in set(State) - {State.LOCKED}:
        with pytest.raises(IllegalTransition, match="cannot unlock"):
            next_state(state, Event.UNLOCK)


def test_a_proofing_case_is_still_not_invited_by_a_plain_invitation():
    with pytest.raises(IllegalTransition, match="cannot invite a case that is proofing"):
        next_state(State.PROOFING, Event.INVITE)
