"""Step-up policy evaluation: pure, no Django.

A session keeps a log of authentication events (:class:`AuthEvent`: method, time, user
verified). A :class:`Policy` says that one action (payroll, grade override, enrollment
change) at a service provider needs a user-verified passkey check no older than
``max_age`` seconds, optionally only for staff holding certain Campus roles.
:func:`evaluate` answers one policy; :func:`decide` answers a whole AuthnRequest (every
matching policy plus the requested authentication context).

    >>> from datetime import datetime, timedelta, UTC
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    >>> payroll = Policy(action="payroll", label="Payroll", class_ref=STEPUP_PAYROLL,
    ...                  max_age=300)
    >>> checked = AuthEvent(PASSKEY, now - timedelta(minutes=2), user_verified=True)
    >>> evaluate(payroll, [checked], now).allowed
    True
    >>> evaluate(payroll, [checked], now + timedelta(minutes=4)).needs_fresh_check
    True

Authentication context class references are compared over an ordered strength list
(:data:`STRENGTH_TIERS`): SAML's ``exact``, ``minimum``, ``maximum`` and ``better``.
The three step-up classes share the top tier but are not interchangeable: a payroll
check does not stand in for a grade-override check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# --- Authentication context class references -----------------------------------------

UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
PASSWORD_PROTECTED_TRANSPORT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
# REFEDS MFA profile: two factors; a passkey with user verification (something you have,
# unlocked by something you are or know) is a multi-factor authenticator (NIST 800-63B).
REFEDS_MFA = "https://refeds.org/profile/mfa"
# idbridge's own classes: "a user-verified passkey check fresh enough for this action's
# step-up policy". Stable; documented in README.md and published in the IdP metadata.
STEPUP_PAYROLL = "urn:idbridge:ac:classes:stepup:payroll"
STEPUP_GRADE_OVERRIDE = "urn:idbridge:ac:classes:stepup:grade-override"
STEPUP_ENROLLMENT_CHANGE = "urn:idbridge:ac:classes:stepup:enrollment-change"
STEPUP_CLASS_REFS = (STEPUP_PAYROLL, STEPUP_GRADE_OVERRIDE, STEPUP_ENROLLMENT_CHANGE)

# Weakest first. References in one tier are incomparable with each other.
STRENGTH_TIERS: tuple[tuple[str, ...], ...] = (
    (UNSPECIFIED,),
    (PASSWORD_PROTECTED_TRANSPORT,),
    (REFEDS_MFA,),
    STEPUP_CLASS_REFS,
)
SUPPORTED_CLASS_REFS = tuple(ref for tier in STRENGTH_TIERS for ref in tier)

EXACT = "exact"
MINIMUM = "minimum"
MAXIMUM = "maximum"
BETTER = "better"
COMPARISONS = (EXACT, MINIMUM, MAXIMUM, BETTER)

# Authentication methods an event can record.
PASSKEY = "passkey"
PASSWORD = "password"


def strength(class_ref: str) -> int | None:
    """The tier of ``class_ref`` (0 = weakest), or None for a reference we do not know."""
    for level, tier in enumerate(STRENGTH_TIERS):
        if class_ref in tier:
            return level
    return None


@dataclass(frozen=True)
class RequestedContext:
    """A ``<samlp:RequestedAuthnContext>``: class references and the comparison."""

    class_refs: tuple[str, ...]
    comparison: str = EXACT

    def __post_init__(self):
        if self.comparison not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.comparison!r}")


def satisfies(offered: str, requested: RequestedContext | None) -> bool:
    """Does asserting ``offered`` answer ``requested`` (SAML core 3.3.2.2.1)?

    The result must compare as asked with *at least one* requested reference. Unknown
    references only match themselves exactly.
    """
    if requested is None or not requested.class_refs:
        return True
    level = strength(offered)
    for ref in requested.class_refs:
        if requested.comparison == EXACT:
            if offered == ref:
                return True
            continue
        wanted = strength(ref)
        if offered == ref and requested.comparison in (MINIMUM, MAXIMUM):
            return True
        if level is None or wanted is None:
            continue
        if requested.comparison == MINIMUM and level > wanted:
            return True
        if requested.comparison == BETTER and level > wanted:
            return True
        if requested.comparison == MAXIMUM and level < wanted:
            return True
    return False


def choose_class_ref(candidates: Sequence[str], requested: RequestedContext | None) -> str | None:
    """The first of ``candidates`` (most specific first) that answers ``requested``."""
    for candidate in candidates:
        if satisfies(candidate, requested):
            return candidate
    return None


# --- Events, policies, decisions -----------------------------------------------------


@dataclass(frozen=True)
class AuthEvent:
    """One authentication in the SSO session: how, when, and whether the user verified."""

    method: str
    at: datetime
    user_verified: bool

    @property
    def is_verified_passkey(self) -> bool:
        return self.method == PASSKEY and self.user_verified

    @property
    def class_ref(self) -> str:
        """What this event proves, and nothing more."""
        if self.is_verified_passkey:
            return REFEDS_MFA
        if self.method == PASSWORD:
            return PASSWORD_PROTECTED_TRANSPORT
        return UNSPECIFIED


@dataclass(frozen=True)
class Policy:
    """A step-up rule for one action.

    ``class_ref``: the context this policy guards; a request asking for it selects the
    policy, and it is what the assertion states once the policy is met.
    ``relay_state_pattern``: a regular expression searched in the RelayState (the SP's
    target URL) that also selects the policy. ``max_age``: how old (seconds) the
    user-verified passkey check may be; ``0`` = a new check for every request; ``None``
    = any check in this SSO session. ``required_roles``: when set, only staff holding one
    of these Campus roles pass. ``sp_entity_id``: ``None`` = every SP.
    """

    action: str
    label: str = ""
    class_ref: str | None = None
    relay_state_pattern: str | None = None
    max_age: int | None = 0
    required_roles: frozenset[str] = field(default_factory=frozenset)
    sp_entity_id: str | None = None

    @property
    def title(self) -> str:
        return self.label or self.action.replace("-", " ").replace("_", " ").capitalize()

    def matches(
        self,
        *,
        sp_entity_id: str,
        requested: RequestedContext | None = None,
        relay_state: str = "",
    ) -> bool:
        if self.sp_entity_id and self.sp_entity_id != sp_entity_id:
            return False
        if self.class_ref and requested is not None and self.class_ref in requested.class_refs:
            return True
        if self.relay_state_pattern and relay_state:
            return _compiled(self.relay_state_pattern).search(relay_state) is not None
        return False


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@dataclass(frozen=True)
class Decision:
    """The answer: may an assertion be issued, and stating what?

    ``allowed``: issue it, with ``class_ref`` and ``authn_instant`` (the time of the
    check that satisfied the policy). Otherwise ``needs_fresh_check`` says a new passkey
    check could change the answer; when False the refusal is final (a Campus role is
    missing) or, with ``no_authn_context``, the SP asked for a context idbridge cannot
    give at all. ``reason`` is a sentence a person can read; when a fresh check is
    needed, ``cause`` says which rule asked for it (one of :data:`CAUSES`).
    """

    allowed: bool
    reason: str
    class_ref: str | None = None
    authn_instant: datetime | None = None
    needs_fresh_check: bool = False
    policy: str | None = None
    no_authn_context: bool = False
    cause: str = ""


# The rule when no step-up policy matches: a user-verified passkey sign-in, at any time
# in this SSO session.
SIGN_IN = Policy(action="sign-in", label="Signing in", class_ref=None, max_age=None)


def latest_verified_check(auth_events: Iterable[AuthEvent], now: datetime) -> AuthEvent | None:
    """The newest user-verified passkey event not in the future, if any."""
    best = None
    for event in auth_events:
        if not event.is_verified_passkey or event.at > now:
            continue
        if best is None or event.at > best.at:
            best = event
    return best


def evaluate(
    policy: Policy,
    auth_events: Iterable[AuthEvent],
    now: datetime,
    *,
    roles: Iterable[str] = (),
    request_at: datetime | None = None,
    force_authn: bool = False,
) -> Decision:
    """Does the session's event log satisfy ``policy`` at ``now``?

    ``roles``: the staff member's Campus roles. ``request_at``: when the AuthnRequest
    arrived; with ``max_age=0`` or ``force_authn`` only a check made after it counts
    (without it, after ``now``: no earlier check counts).
    """
    title = policy.title
    if policy.required_roles and not (set(roles) & policy.required_roles):
        names = " or ".join(sorted(policy.required_roles))
        return Decision(
            allowed=False,
            reason=f"{title} is limited to staff with the Campus role {names}.",
            policy=policy.action,
        )
    check = latest_verified_check(auth_events, now)
    cause = _stale_cause(policy, check, now, request_at, force_authn)
    if cause:
        return Decision(
            allowed=False,
            reason=_needs_check_reason(title, policy, cause, check, now),
            needs_fresh_check=True,
            policy=policy.action,
            cause=cause,
        )
    return Decision(
        allowed=True,
        reason=f"{title}: fingerprint or face check {_ago(now - check.at)} satisfies the policy.",
        class_ref=policy.class_ref or check.class_ref,
        authn_instant=check.at,
        policy=policy.action,
    )


def decide(
    *,
    policies: Iterable[Policy],
    sp_entity_id: str,
    requested: RequestedContext | None,
    relay_state: str,
    auth_events: Sequence[AuthEvent],
    now: datetime,
    roles: Iterable[str] = (),
    request_at: datetime | None = None,
    force_authn: bool = False,
) -> Decision:
    """The decision for one AuthnRequest.

    1. Every enabled policy matching the SP and the request (by requested class
       reference or RelayState) applies; with none, :data:`SIGN_IN` does.
    2. The class reference to assert is the first that is true and answers the
       requested context: a matched policy's step-up class, then REFEDS MFA (what a
       user-verified passkey is), then ``unspecified``. None fits: ``no_authn_context``,
       before anyone is asked to sign in.
    3. No user-verified passkey check in the session yet: ``needs_fresh_check``.
    4. Each applicable policy is evaluated; a role refusal wins over a stale check.
    """
    roles = tuple(roles)
    matched = _matching_policies(policies, sp_entity_id, requested, relay_state)
    class_ref = _class_ref_to_assert(matched, requested)
    if class_ref is None:
        return _no_authn_context(requested, matched[0])
    if latest_verified_check(auth_events, now) is None:
        return Decision(
            allowed=False,
            reason="Sign in with your passkey to continue.",
            needs_fresh_check=True,
            policy=matched[0].action,
        )
    decisions = [
        evaluate(p, auth_events, now, roles=roles, request_at=request_at, force_authn=force_authn)
        for p in matched
    ]
    return _combined(decisions, class_ref)


def _matching_policies(
    policies: Iterable[Policy],
    sp_entity_id: str,
    requested: RequestedContext | None,
    relay_state: str,
) -> list[Policy]:
    """Every policy selected by the request; :data:`SIGN_IN` when none is."""
    return [
        p
        for p in policies
        if p.matches(sp_entity_id=sp_entity_id, requested=requested, relay_state=relay_state)
    ] or [SIGN_IN]


def _class_ref_to_assert(matched: list[Policy], requested: RequestedContext | None) -> str | None:
    """The most specific true class reference that answers ``requested``."""
    candidates = [p.class_ref for p in matched if p.class_ref] + [REFEDS_MFA, UNSPECIFIED]
    return choose_class_ref(candidates, requested)


def _no_authn_context(requested: RequestedContext | None, policy: Policy) -> Decision:
    wanted = ", ".join(requested.class_refs) if requested else ""
    return Decision(
        allowed=False,
        reason=(
            f"The service asked for an authentication context idbridge cannot give "
            f"({requested.comparison if requested else EXACT}: {wanted})."
        ),
        no_authn_context=True,
        policy=policy.action,
    )


def _combined(decisions: list[Decision], class_ref: str) -> Decision:
    """Every applicable policy must allow; a role refusal wins over a stale check."""
    refused = [d for d in decisions if not d.allowed]
    if refused:
        final = [d for d in refused if not d.needs_fresh_check]
        return (final or refused)[0]
    return Decision(
        allowed=True,
        reason=" ".join(d.reason for d in decisions),
        class_ref=class_ref,
        authn_instant=decisions[0].authn_instant,
        policy=",".join(d.policy for d in decisions if d.policy),
    )


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return "just now" if seconds < 5 else f"{seconds} seconds ago"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    return f"{minutes // 60} hours ago"


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"


# Why a fresh check is needed: no check in this session yet; the policy's max-age of 0
# (a new check for every request); the service sent ForceAuthn; the last check is older
# than the policy's max-age.
NO_CHECK, EVERY_TIME, FORCE_AUTHN, TOO_OLD = "no-check", "every-time", "force-authn", "too-old"
CAUSES = (NO_CHECK, EVERY_TIME, FORCE_AUTHN, TOO_OLD)


def _stale_cause(
    policy: Policy,
    check: AuthEvent | None,
    now: datetime,
    request_at: datetime | None,
    force_authn: bool,
) -> str:
    """Which rule makes ``check`` not enough ("" = it is enough). A check older than the
    max-age window is reported as too old even when ForceAuthn also applies: waiting less
    would not have helped, a new check is needed either way."""
    if check is None:
        return NO_CHECK
    if policy.max_age and check.at < now - timedelta(seconds=policy.max_age):
        return TOO_OLD
    if (policy.max_age == 0 or force_authn) and check.at < (request_at or now):
        return EVERY_TIME if policy.max_age == 0 else FORCE_AUTHN
    return ""


def _needs_check_reason(
    title: str, policy: Policy, cause: str, check: AuthEvent | None, now: datetime
) -> str:
    """The real reason, in words: never "within 5 minutes" when the last check was
    22 seconds ago and the service asked for a new one anyway.

    >>> now = datetime(2026, 3, 2, 9, 0)
    >>> recent = AuthEvent(PASSKEY, now - timedelta(seconds=22), user_verified=True)
    >>> p = Policy(action="payroll", label="Payroll", max_age=300)
    >>> reason = _needs_check_reason("Payroll", p, FORCE_AUTHN, recent, now)
    >>> reason.startswith("The service asked for a new fingerprint or face check")
    True
    >>> reason.endswith("your last check was 22 seconds ago (within the 5 minutes Payroll allows).")
    True
    """
    if cause == EVERY_TIME:
        rule = f"{title} needs a new fingerprint or face check with your passkey every time"
        return rule + (f": your last check was {_ago(now - check.at)}." if check else ".")
    if cause == FORCE_AUTHN:
        rule = "The service asked for a new fingerprint or face check for this request"
        if check is None:
            return rule + "."
        rule += f", even though your last check was {_ago(now - check.at)}"
        if policy.max_age:
            rule += f" (within the {_duration(policy.max_age)} {title} allows)"
        return rule + "."
    if cause == TOO_OLD:
        return (
            f"{title} needs a fingerprint or face check with your passkey within the last "
            f"{_duration(policy.max_age)}; your last check was {_ago(now - check.at)}."
        )
    return f"{title} needs a fingerprint or face check with your passkey."
