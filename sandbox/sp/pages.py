"""The sandbox's sensitive pages and when their step-up is fresh enough: pure, no Django.

Each sensitive page asks idbridge for its own step-up class reference (``exact``) with
``ForceAuthn``, and accepts the simulated change only while the assertion's
``AuthnInstant`` (when the person's passkey check happened) is younger than the page's
limit. The class references and limits are the IdP's shipped defaults (README, *Step-up
IdP*); a real Campus would be configured with them the same way, by hand.

    >>> from datetime import datetime, timedelta, UTC
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    >>> check = StepUp(class_ref=PAYROLL.class_ref, authn_instant=now - timedelta(seconds=90))
    >>> freshness(PAYROLL, check, now).fresh
    True
    >>> freshness(PAYROLL, check, now + timedelta(minutes=4)).reason
    'stale'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# SAML's "signed in with a user-verified passkey" (REFEDS MFA): what the portal asks for.
REFEDS_MFA = "https://refeds.org/profile/mfa"
# How far the IdP's clock may run ahead of ours: an AuthnInstant a little in the future
# is still a check that happened (both run on NTP-synchronised machines).
CLOCK_SKEW = timedelta(seconds=30)


@dataclass(frozen=True)
class Page:
    """A Campus page that needs a fresh fingerprint or face check."""

    key: str  # also the URL name: campus:sp_<key>
    title: str
    class_ref: str
    max_age_seconds: int
    action: str  # the simulated change the page offers
    done: str  # what the page says once the change is made

    @property
    def max_age(self) -> timedelta:
        return timedelta(seconds=self.max_age_seconds)


PAYROLL = Page(
    key="payroll",
    title="Payroll",
    class_ref="urn:idbridge:ac:classes:stepup:payroll",
    max_age_seconds=300,
    action="Approve the payroll run",
    done="Payroll run approved",
)
GRADE_OVERRIDE = Page(
    key="grade_override",
    title="Grade override",
    class_ref="urn:idbridge:ac:classes:stepup:grade-override",
    max_age_seconds=300,
    action="Override the posted grade",
    done="Posted grade overridden",
)
ENROLLMENT_CHANGE = Page(
    key="enrollment_change",
    title="Enrollment change",
    class_ref="urn:idbridge:ac:classes:stepup:enrollment-change",
    max_age_seconds=600,
    action="End the student's enrollment",
    done="Enrollment ended",
)
PAGES: dict[str, Page] = {p.key: p for p in (PAYROLL, GRADE_OVERRIDE, ENROLLMENT_CHANGE)}


@dataclass(frozen=True)
class StepUp:
    """What an assertion said about one check: its class reference and AuthnInstant."""

    class_ref: str
    authn_instant: datetime


@dataclass(frozen=True)
class Freshness:
    """``fresh``: the page may be used. Otherwise ``reason`` is ``missing`` (no step-up
    yet), ``wrong_class`` (the assertion is not this page's class) or ``stale``."""

    fresh: bool
    reason: str = ""
    age: timedelta | None = None
    remaining: timedelta | None = None

    @property
    def remaining_seconds(self) -> int:
        return max(0, int(self.remaining.total_seconds())) if self.remaining else 0

    @property
    def age_seconds(self) -> int:
        return max(0, int(self.age.total_seconds())) if self.age is not None else 0


def freshness(page: Page, step_up: StepUp | None, now: datetime) -> Freshness:
    """May ``page`` be used at ``now`` on the strength of ``step_up``?"""
    if step_up is None:
        return Freshness(False, "missing")
    if step_up.class_ref != page.class_ref:
        return Freshness(False, "wrong_class")
    age = now - step_up.authn_instant
    if age < -CLOCK_SKEW:
        # A check "from the future" is a broken clock or a forged time: not evidence.
        return Freshness(False, "stale", age=age)
    remaining = page.max_age - age
    if remaining <= timedelta(0):
        return Freshness(False, "stale", age=age, remaining=timedelta(0))
    return Freshness(True, age=age, remaining=remaining)


def page_for_path(path: str, paths: dict[str, str]) -> Page | None:
    """The sensitive page whose URL is ``path`` (``paths``: page key → URL path)."""
    for key, url in paths.items():
        if path == url:
            return PAGES[key]
    return None
