"""stepup.policy: pure, no database. Every rule has an allow and a deny case."""

from datetime import UTC, datetime, timedelta

import pytest

from stepup.policy import (
    BETTER,
    EXACT,
    MAXIMUM,
    MINIMUM,
    PASSKEY,
    PASSWORD,
    PASSWORD_PROTECTED_TRANSPORT,
    REFEDS_MFA,
    STEPUP_ENROLLMENT_CHANGE,
    STEPUP_GRADE_OVERRIDE,
    STEPUP_PAYROLL,
    UNSPECIFIED,
    AuthEvent,
    Policy,
    RequestedContext,
    choose_class_ref,
    decide,
    evaluate,
    satisfies,
    strength,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SP = "https://campus.example/saml"


def ago(**kw) -> datetime:
    return NOW - timedelta(**kw)


def uv(**kw) -> AuthEvent:
    return AuthEvent(PASSKEY, ago(**kw), user_verified=True)


PAYROLL = Policy(
    action="payroll",
    label="Payroll",
    class_ref=STEPUP_PAYROLL,
    relay_state_pattern=r"(?i)payroll",
    max_age=300,
)
GRADES = Policy(
    action="grade-override",
    label="Grade override",
    class_ref=STEPUP_GRADE_OVERRIDE,
    relay_state_pattern=r"grade-override",
    max_age=300,
)
EVERY_TIME = Policy(action="enrollment-change", class_ref=STEPUP_ENROLLMENT_CHANGE, max_age=0)
CLERKS_ONLY = Policy(
    action="payroll", class_ref=STEPUP_PAYROLL, max_age=300, required_roles=frozenset({"Payroll"})
)


# --- evaluate: one policy --------------------------------------------------------------

EVALUATE_CASES = [
    # (name, policy, events, kwargs, allowed, needs_fresh_check)
    ("check within max_age passes", PAYROLL, [uv(minutes=4)], {}, True, False),
    ("check older than max_age needs a fresh one", PAYROLL, [uv(minutes=6)], {}, False, True),
    ("check exactly at max_age still passes", PAYROLL, [uv(seconds=300)], {}, True, False),
    ("no event at all needs a check", PAYROLL, [], {}, False, True),
    (
        "a check without user verification does not count",
        PAYROLL,
        [AuthEvent(PASSKEY, ago(minutes=1), user_verified=False)],
        {},
        False,
        True,
    ),
    (
        "a password does not count",
        PAYROLL,
        [AuthEvent(PASSWORD, ago(minutes=1), user_verified=True)],
        {},
        False,
        True,
    ),
    (
        "the newest verified check is the one that counts",
        PAYROLL,
        [uv(minutes=50), uv(minutes=2), uv(minutes=30)],
        {},
        True,
        False,
    ),
    ("an event in the future is ignored", PAYROLL, [uv(minutes=-10)], {}, False, True),
    (
        "max_age 0: a check after the request arrived passes",
        EVERY_TIME,
        [uv(seconds=10)],
        {"request_at": ago(seconds=30)},
        True,
        False,
    ),
    (
        "max_age 0: a check before the request does not",
        EVERY_TIME,
        [uv(seconds=40)],
        {"request_at": ago(seconds=30)},
        False,
        True,
    ),
    (
        "force_authn: a check after the request passes",
        PAYROLL,
        [uv(seconds=5)],
        {"request_at": ago(seconds=20), "force_authn": True},
        True,
        False,
    ),
    (
        "force_authn: a fresh check from before the request does not",
        PAYROLL,
        [uv(seconds=60)],
        {"request_at": ago(seconds=20), "force_authn": True},
        False,
        True,
    ),
    (
        "required role held passes",
        CLERKS_ONLY,
        [uv(minutes=1)],
        {"roles": ["Teacher", "Payroll"]},
        True,
        False,
    ),
    (
        "required role missing is refused for good",
        CLERKS_ONLY,
        [uv(minutes=1)],
        {"roles": ["Teacher"]},
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    "name,policy,events,kwargs,allowed,fresh", EVALUATE_CASES, ids=[c[0] for c in EVALUATE_CASES]
)
def test_evaluate(name, policy, events, kwargs, allowed, fresh):
    decision = evaluate(policy, events, NOW, **kwargs)
    assert decision.allowed is allowed
    assert decision.needs_fresh_check is fresh
    assert decision.reason
    if allowed:
        assert decision.class_ref == policy.class_ref
        assert decision.authn_instant == max(e.at for e in events if e.at <= NOW)


def test_authn_instant_is_the_time_of_the_check_not_now():
    decision = evaluate(PAYROLL, [uv(minutes=3, seconds=7)], NOW)
    assert decision.authn_instant == ago(minutes=3, seconds=7)


def test_payroll_requires_fresh_biometric_after_five_minutes():
    decision = evaluate(PAYROLL, [uv(minutes=5, seconds=1)], NOW)
    assert not decision.allowed
    assert "within the last 5 minutes" in decision.reason
    assert "your last check was 5 minutes ago" in decision.reason
    assert decision.cause == "too-old"


def test_force_authn_is_the_reason_given_when_the_last_check_is_within_max_age():
    decision = evaluate(PAYROLL, [uv(seconds=22)], NOW, request_at=NOW, force_authn=True)
    assert not decision.allowed and decision.needs_fresh_check
    assert decision.cause == "force-authn"
    assert decision.reason.startswith("The service asked for a new fingerprint or face check")
    assert "22 seconds ago (within the 5 minutes" in decision.reason


def test_max_age_zero_is_the_reason_given_when_a_recent_check_is_not_enough():
    decision = evaluate(EVERY_TIME, [uv(seconds=22)], NOW, request_at=NOW)
    assert decision.cause == "every-time"
    assert "every time" in decision.reason and "22 seconds ago" in decision.reason
    assert "within the last" not in decision.reason


def test_a_session_without_a_check_is_told_to_check():
    decision = evaluate(PAYROLL, [], NOW)
    assert decision.cause == "no-check"
    assert decision.reason == "Payroll needs a fingerprint or face check with your passkey."


def test_a_check_after_a_force_authn_request_passes():
    decision = evaluate(PAYROLL, [uv(seconds=2)], NOW, request_at=ago(seconds=5), force_authn=True)
    assert decision.allowed and decision.cause == ""


def test_role_refusal_names_the_roles():
    decision = evaluate(CLERKS_ONLY, [uv(minutes=1)], NOW, roles=["Teacher"])
    assert decision.reason == "Payroll is limited to staff with the Campus role Payroll."


# --- class references and comparisons -------------------------------------------------

COMPARISON_CASES = [
    # (offered, requested refs, comparison, expected)
    (REFEDS_MFA, (REFEDS_MFA,), EXACT, True),
    (STEPUP_PAYROLL, (REFEDS_MFA,), EXACT, False),
    (PASSWORD_PROTECTED_TRANSPORT, (REFEDS_MFA, PASSWORD_PROTECTED_TRANSPORT), EXACT, True),
    (REFEDS_MFA, (PASSWORD_PROTECTED_TRANSPORT,), MINIMUM, True),
    (PASSWORD_PROTECTED_TRANSPORT, (REFEDS_MFA,), MINIMUM, False),
    (STEPUP_PAYROLL, (REFEDS_MFA,), MINIMUM, True),
    (STEPUP_PAYROLL, (STEPUP_PAYROLL,), MINIMUM, True),
    (STEPUP_GRADE_OVERRIDE, (STEPUP_PAYROLL,), MINIMUM, False),  # same tier, not the same
    (REFEDS_MFA, (STEPUP_PAYROLL,), MINIMUM, False),
    (REFEDS_MFA, (REFEDS_MFA,), BETTER, False),
    (STEPUP_PAYROLL, (REFEDS_MFA,), BETTER, True),
    (PASSWORD_PROTECTED_TRANSPORT, (REFEDS_MFA,), MAXIMUM, True),
    (STEPUP_PAYROLL, (REFEDS_MFA,), MAXIMUM, False),
    (REFEDS_MFA, ("urn:example:unknown",), MINIMUM, False),
    ("urn:example:unknown", ("urn:example:unknown",), EXACT, True),
]


@pytest.mark.parametrize("offered,refs,comparison,expected", COMPARISON_CASES)
def test_requested_context_comparison(offered, refs, comparison, expected):
    assert satisfies(offered, RequestedContext(refs, comparison)) is expected


def test_nothing_requested_is_satisfied_by_anything():
    assert satisfies(UNSPECIFIED, None)
    assert satisfies(STEPUP_PAYROLL, RequestedContext(()))


def test_strength_orders_the_tiers():
    assert strength(UNSPECIFIED) < strength(PASSWORD_PROTECTED_TRANSPORT) < strength(REFEDS_MFA)
    assert strength(REFEDS_MFA) < strength(STEPUP_PAYROLL) == strength(STEPUP_ENROLLMENT_CHANGE)
    assert strength("urn:example:unknown") is None


def test_unknown_comparison_is_rejected():
    with pytest.raises(ValueError):
        RequestedContext((REFEDS_MFA,), "roughly")


def test_choose_class_ref_takes_the_first_candidate_that_fits():
    candidates = [STEPUP_PAYROLL, REFEDS_MFA, UNSPECIFIED]
    assert choose_class_ref(candidates, None) == STEPUP_PAYROLL
    assert choose_class_ref(candidates, RequestedContext((REFEDS_MFA,))) == REFEDS_MFA
    assert choose_class_ref(candidates, RequestedContext((PASSWORD_PROTECTED_TRANSPORT,))) is None


def test_events_state_only_what_they_prove():
    assert uv(minutes=1).class_ref == REFEDS_MFA
    assert AuthEvent(PASSKEY, NOW, user_verified=False).class_ref == UNSPECIFIED
    assert AuthEvent(PASSWORD, NOW, user_verified=False).class_ref == PASSWORD_PROTECTED_TRANSPORT


# --- policy matching -------------------------------------------------------------------

MATCH_CASES = [
    # (policy, sp, requested, relay_state, expected)
    (PAYROLL, SP, RequestedContext((STEPUP_PAYROLL,)), "", True),
    (PAYROLL, SP, RequestedContext((REFEDS_MFA,)), "", False),
    (PAYROLL, SP, None, "https://campus.example/payroll/checks", True),
    (PAYROLL, SP, None, "https://campus.example/attendance", False),
    (PAYROLL, SP, None, "", False),
    (
        Policy(action="payroll", class_ref=STEPUP_PAYROLL, sp_entity_id=SP),
        SP,
        RequestedContext((STEPUP_PAYROLL,)),
        "",
        True,
    ),
    (
        Policy(action="payroll", class_ref=STEPUP_PAYROLL, sp_entity_id="https://other"),
        SP,
        RequestedContext((STEPUP_PAYROLL,)),
        "",
        False,
    ),
]


@pytest.mark.parametrize("policy,sp,requested,relay_state,expected", MATCH_CASES)
def test_policy_matching(policy, sp, requested, relay_state, expected):
    assert policy.matches(sp_entity_id=sp, requested=requested, relay_state=relay_state) is expected


# --- decide: a whole request ---------------------------------------------------------------


def run(events, *, requested=None, relay_state="", policies=(PAYROLL, GRADES), **kw):
    return decide(
        policies=policies,
        sp_entity_id=SP,
        requested=requested,
        relay_state=relay_state,
        auth_events=events,
        now=NOW,
        **kw,
    )


def test_plain_sign_in_asserts_mfa_at_the_time_of_the_check():
    decision = run([uv(hours=3)])
    assert decision.allowed
    assert decision.class_ref == REFEDS_MFA
    assert decision.authn_instant == ago(hours=3)


def test_plain_sign_in_without_a_session_needs_a_check():
    decision = run([])
    assert decision.needs_fresh_check and not decision.allowed


def test_payroll_page_by_relay_state_needs_a_fresh_check_and_asserts_payroll():
    stale = run([uv(minutes=20)], relay_state="/campus/payroll")
    assert stale.needs_fresh_check
    fresh = run([uv(minutes=20), uv(minutes=1)], relay_state="/campus/payroll")
    assert fresh.allowed and fresh.class_ref == STEPUP_PAYROLL
    assert fresh.authn_instant == ago(minutes=1)


def test_requested_payroll_class_selects_the_payroll_policy():
    requested = RequestedContext((STEPUP_PAYROLL,))
    assert run([uv(minutes=20)], requested=requested).needs_fresh_check
    decision = run([uv(minutes=2)], requested=requested)
    assert decision.allowed and decision.class_ref == STEPUP_PAYROLL


def test_requested_mfa_on_a_payroll_page_asserts_mfa_but_still_needs_the_fresh_check():
    requested = RequestedContext((REFEDS_MFA,))
    assert run([uv(minutes=20)], requested=requested, relay_state="payroll").needs_fresh_check
    decision = run([uv(minutes=2)], requested=requested, relay_state="payroll")
    assert decision.allowed and decision.class_ref == REFEDS_MFA


def test_minimum_mfa_is_answered_with_mfa_and_exact_password_is_not_answered():
    assert run([uv(minutes=2)], requested=RequestedContext((REFEDS_MFA,), MINIMUM)).allowed
    decision = run([uv(minutes=2)], requested=RequestedContext((PASSWORD_PROTECTED_TRANSPORT,)))
    assert decision.no_authn_context and not decision.allowed and not decision.needs_fresh_check


def test_a_step_up_class_without_an_enabled_policy_cannot_be_given():
    decision = run([uv(seconds=5)], requested=RequestedContext((STEPUP_PAYROLL,)), policies=())
    assert decision.no_authn_context


def test_no_authn_context_is_known_before_anyone_signs_in():
    decision = run([], requested=RequestedContext(("urn:example:smartcard",)))
    assert decision.no_authn_context


def test_force_authn_needs_a_check_made_after_the_request():
    events = [uv(minutes=1)]
    assert run(events).allowed
    forced = run(events, force_authn=True, request_at=ago(seconds=10))
    assert forced.needs_fresh_check
    assert run([uv(seconds=5)], force_authn=True, request_at=ago(seconds=10)).allowed


def test_a_role_refusal_wins_over_a_stale_check():
    decision = run(
        [uv(minutes=30)], relay_state="payroll", policies=(CLERKS_ONLY, PAYROLL), roles=["Teacher"]
    )
    # CLERKS_ONLY has no pattern, so only PAYROLL matches the RelayState: stale check.
    assert decision.needs_fresh_check
    decision = run(
        [uv(minutes=30)],
        requested=RequestedContext((STEPUP_PAYROLL,)),
        policies=(CLERKS_ONLY, PAYROLL),
        roles=["Teacher"],
    )
    assert not decision.allowed and not decision.needs_fresh_check
    assert "limited to staff" in decision.reason


def test_every_matching_policy_must_pass():
    both = RequestedContext((STEPUP_PAYROLL,))
    decision = run(
        [uv(minutes=4)],
        requested=both,
        relay_state="grade-override",
        policies=(PAYROLL, GRADES, EVERY_TIME),
    )
    assert decision.allowed
    assert decision.policy == "payroll,grade-override"
    strict = Policy(action="grade-override", relay_state_pattern="grade-override", max_age=60)
    decision = run(
        [uv(minutes=4)], requested=both, relay_state="grade-override", policies=(PAYROLL, strict)
    )
    assert decision.needs_fresh_check and decision.policy == "grade-override"
