"""The step-up gate before Commit: a fresh, user-verified passkey check of the operator.

This is the seam between the console and the step-up IdP (``stepup/``). It reads the
authentication log that the passkey ceremony keeps in the session
(``stepup.subjects.sso_session_events``) and accepts a commit when that log holds a
user-verified passkey check made in the last ``BOI_COMMIT_STEPUP_MAX_AGE_SECONDS``, by the
person signed in to the dashboard (the IdP subject's e-mail is the operator's).

``commit_verification(request)`` is the one function the console calls; the passkey
ceremony (``stepup:authenticate``, in step-up mode) is where the operator goes when it
answers no. ``commit_step_up_url(request, next_url)`` builds that link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stepup.policy import PASSKEY
from stepup.subjects import sso_session_events, sso_session_subject

CHALLENGE_KEY = "stepup.challenge"


@dataclass(frozen=True)
class Verification:
    ok: bool
    verified_at: datetime | None
    reason: str


def commit_verification(request, *, now: datetime | None = None) -> Verification:
    """Has the operator verified with their passkey recently enough to commit?"""
    now = now or timezone.now()
    max_age = timedelta(seconds=settings.BOI_COMMIT_STEPUP_MAX_AGE_SECONDS)
    subject = sso_session_subject(request)
    if subject is None:
        return Verification(False, None, "Verify with your passkey to commit.")
    email = (request.user.email or "").strip().lower()
    if not email or subject.email.strip().lower() != email:
        return Verification(
            False, None, "The passkey check in this session is not yours: verify again."
        )
    fresh = [
        e.at
        for e in sso_session_events(request)
        if e.method == PASSKEY and e.user_verified and timedelta(0) <= now - e.at <= max_age
    ]
    if not fresh:
        return Verification(
            False, None, "Your last passkey check is too old: verify again to commit."
        )
    return Verification(True, max(fresh), "")


def commit_step_up_url(request, next_url: str) -> str:
    """Where to send the operator for the check; the ceremony resumes at ``next_url``."""
    request.session[CHALLENGE_KEY] = {
        "mode": "step-up",
        "reason": "Commit a Business Office sync to Campus",
        "sp": "idbridge Business Office console",
        "email": request.user.email,
    }
    return reverse("stepup:authenticate") + "?" + urlencode({"next": next_url})
