"""Onboarding rate limits: budgets per invitation and per onboarding case, under a
per-address ceiling (``idbridge.ratelimit``, one-minute windows).

- an invitation link: ``STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE``
  redemptions (the link works once; more are someone replaying it);
- an onboarding case: ``STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE`` attempts, shared
  by the applicant's record check and the passkey ceremonies of that person
  (``stepup.ceremonies``: enrollment, own passkeys), so one budget covers every step a
  person's case goes through (the record check also locks the case after
  ``STAFF_RECORD_CHECK_MAX_ATTEMPTS`` wrong answers);
- a proofing code (``staff.services.second_factor``): ``STAFF_PROOFING_CODE_SENDS_PER_HOUR``
  new codes per case (each is a mail or text to the person), entries of it count as
  attempts at the case;
- a client address: ``STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE`` of all of these,
  high because a school's staff share one address (its NAT).

A request refused by its invitation's or case's own budget is not charged to the address,
so hammering one case does not shut out the rest of the school.
"""

from django.conf import settings

from idbridge import ratelimit


def _address_allowed(request) -> bool:
    return ratelimit.hit(
        "onboarding-address",
        ratelimit.client_address(request),
        limit=settings.STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE,
    )


def invitation_redemption_allowed(request, token: str) -> bool:
    """Count one redemption of the invitation link ``token``; False once over. (The
    cache keeps a digest of the token, never the token.)"""
    limit = settings.STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE
    return ratelimit.hit("onboarding-invitation", token, limit=limit) and _address_allowed(request)


def onboarding_attempt_allowed(request, case_id: int) -> bool:
    """Count one attempt at a step of onboarding case ``case_id``; False once over."""
    limit = settings.STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE
    return ratelimit.hit("onboarding-case", str(case_id), limit=limit) and _address_allowed(request)


def proofing_code_send_allowed(case_id: int) -> bool:
    """Count one more code sent for case ``case_id``; False once over the hourly budget."""
    limit = settings.STAFF_PROOFING_CODE_SENDS_PER_HOUR
    return ratelimit.hit("onboarding-code-send", str(case_id), limit=limit, window_seconds=3600)
