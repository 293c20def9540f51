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

from django.conf import settings
from django.utils import timezone

from stepup.ceremony import step_up_url
from stepup.subjects import sso_session_subject, verified_passkey_check_at


@dataclass(frozen=True)
class Verification:
    ok: bool
    verified_at: datetime | None
    reason: str


def commit_verification(request, *, now: datetime | None = None) -> Verification:
    """Has the operator verified with their passkey recently enough to commit?"""
    subject = sso_session_subject(request)
    if subject is None:
        return Verification(False, None, "Verify with your passkey to commit.")
    email = (request.user.email or "").strip().lower()
    if not email or subject.email.strip().lower() != email:
        return Verification(
            False, None, "The passkey check in this session is not yours: verify again."
        )
    verified_at = verified_passkey_check_at(
        request,
        max_age=timedelta(seconds=settings.BOI_COMMIT_STEPUP_MAX_AGE_SECONDS),
        now=now or timezone.now(),
    )
    if verified_at is None:
        return Verification(
            False, None, "Your last passkey check is too old: verify again to commit."
        )
    return Verification(True, verified_at, "")


def commit_step_up_url(request, next_url: str) -> str:
    """Where to send the operator for the check; the ceremony resumes at ``next_url``."""
    return step_up_url(
        request,
        next_url=next_url,
        reason="Commit a Business Office sync to Campus",
        sp="idbridge Business Office console",
        email=request.user.email,
    )
