"""The onboarding attempt budget: STAFF_CEREMONY_RATE_PER_MINUTE attempts per minute per
client address and per onboarding case, shared by the applicant's record check and the
passkey ceremonies of onboarded staff (``stepup.ceremonies``: enrollment, own passkeys),
so one budget covers every step a person's case goes through."""

from django.conf import settings

from idbridge import ratelimit


def onboarding_attempt_allowed(request, case_id: int | None = None) -> bool:
    """Count one attempt from this address (and for ``case_id``); False once over."""
    limit = settings.STAFF_CEREMONY_RATE_PER_MINUTE
    ok = ratelimit.hit("onboarding-ip", ratelimit.client_address(request), limit=limit)
    if case_id is not None:
        ok = ratelimit.hit("onboarding-case", str(case_id), limit=limit) and ok
    return ok
