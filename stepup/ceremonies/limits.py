"""The ceremonies' rate limits (``idbridge.ratelimit``, one-minute windows): budgets per
account, under a per-address ceiling high enough for a school behind one NAT address.

Sign-in and step-up (``/stepup/authenticate/``):

- every ceremony request (options and verify: two per sign-in) from one client address,
  ``STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE``;
- answers naming one credential (the passkey the browser claims, counted before anything
  is verified), ``STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE``;
- that credential's failed answers, ``STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE``:
  once used up, the credential's answers are refused unverified for the rest of the minute.

Registration (enrollment, own passkeys) counts against the person's onboarding case
(``staff.limits``), shared with the record check.
"""

from __future__ import annotations

from django.conf import settings

from idbridge import ratelimit
from staff.limits import onboarding_attempt_allowed


def sign_in_request_allowed(request) -> bool:
    """Count one sign-in or step-up ceremony request from this client address."""
    return ratelimit.hit(
        "signin-address",
        ratelimit.client_address(request),
        limit=settings.STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE,
    )


def credential_attempt_allowed(credential_id: str) -> bool:
    """Count one answer naming ``credential_id`` (unverified); False when that credential
    has used up its attempts or its failures this minute."""
    if ratelimit.exhausted(
        "signin-credential-failures",
        credential_id,
        limit=settings.STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE,
    ):
        return False
    return ratelimit.hit(
        "signin-credential",
        credential_id,
        limit=settings.STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE,
    )


def credential_failure_count(credential_id: str) -> None:
    """Count one refused answer naming ``credential_id``."""
    ratelimit.hit(
        "signin-credential-failures",
        credential_id,
        limit=settings.STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE,
    )


def registration_attempt_allowed(request, case_id: int) -> bool:
    """Count one registration attempt (enrollment, another passkey) against the person's
    onboarding budget: per case and per client address, shared with the record check."""
    return onboarding_attempt_allowed(request, case_id)
