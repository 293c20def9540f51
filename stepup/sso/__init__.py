"""The SSO and SLO flows: validate, remember the pending request, decide, answer.

A validated AuthnRequest is kept in the session as a *pending request* under a random
key (:mod:`stepup.sso.pending`). :func:`stepup.sso.authn.proceed` is the loop the browser
comes back to: it reads the SSO session (``stepup.subjects``), asks
``stepup.policy.decide`` and either sends the user to ``stepup:authenticate`` (sign in,
or a fresh check) with ``next`` pointing back at ``idp:sso_continue``, or answers the SP
(:mod:`stepup.sso.responses`): a signed Response with the assertion, or a signed error
Response (NoAuthnContext, NoPassive, RequestDenied, InvalidNameIDPolicy).
:mod:`stepup.sso.logout` answers SP-initiated Single Logout.

The session keys below are shared with the passkey ceremony at ``stepup:authenticate``.
"""

from stepup.subjects import CHALLENGE_KEY

# The pending requests, by random key (stepup.sso.pending).
PENDING_KEY = "stepup.pending"
# Set by the ceremony's Cancel: the pending request (by key) whose check was abandoned.
CANCELLED_KEY = "stepup.cancelled"
# The NameID issued to each SP in this session (an SP's LogoutRequest must name it).
ISSUED_KEY = "stepup.issued_name_ids"

__all__ = ["CANCELLED_KEY", "CHALLENGE_KEY", "ISSUED_KEY", "PENDING_KEY"]
