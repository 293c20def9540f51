"""The one freshness gate of idbridge's own pages: "has this person made a passkey check
recent enough for this action?", answered by ``stepup.policy.evaluate`` exactly as the
SAML step-up is.

Each guarded action is a :class:`~stepup.policy.Policy` built from the setting named
after it; :func:`fresh_check_decision` turns the request (the SSO session's subject and
authentication events) into the policy's :class:`~stepup.policy.Decision`, and
:func:`step_up_url` sends the person to the ceremony (``stepup:authenticate`` in step-up
mode) when it answers no::

    decision = fresh_check_decision(request, boi_commit_policy(), email=user.email)
    if not decision.allowed:
        return redirect(step_up_url(request, next_url=..., reason=..., sp=..., email=...))
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from idbridge.core.gates import GateAnswer
from stepup.policy import Decision, Policy, evaluate
from stepup.subjects import CHALLENGE_KEY, sso_session_events, sso_session_subject

NOT_YOURS = "The passkey check in this session is not yours: verify again."


def _max_age(action: str, default: int) -> int:
    """The act's max age as a district admin set it on the step-up policies page
    (``AdminActPolicy``), else the shipped default (its setting)."""
    from stepup.models import AdminActPolicy

    found = AdminActPolicy.objects.filter(action=action).values_list("max_age_seconds")
    return found[0][0] if found else default


def boi_commit_policy() -> Policy:
    """Committing a Business Office sync: the operator's check within
    BOI_COMMIT_STEPUP_MAX_AGE_SECONDS."""
    return Policy(
        action="boi-commit",
        label="Committing a Business Office sync",
        max_age=_max_age("boi-commit", settings.BOI_COMMIT_STEPUP_MAX_AGE_SECONDS),
    )


def passkey_change_policy() -> Policy:
    """Adding or removing one of your passkeys: a check within
    STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS (a signed-in, unattended browser is not enough)."""
    return Policy(
        action="passkey-change",
        label="Changing your passkeys",
        max_age=settings.STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS,
    )


def role_change_policy() -> Policy:
    """Granting or removing dashboard roles: the admin's check within
    STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS."""
    return Policy(
        action="role-change",
        label="Granting or removing dashboard roles",
        max_age=_max_age("role-change", settings.STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS),
    )


def sp_change_policy() -> Policy:
    """Registering a service provider, replacing its metadata or removing it: a check
    within STEPUP_SP_CHANGE_MAX_AGE_SECONDS."""
    return Policy(
        action="sp-change",
        label="Registering or removing a service provider",
        max_age=_max_age("sp-change", settings.STEPUP_SP_CHANGE_MAX_AGE_SECONDS),
    )


def policy_change_policy() -> Policy:
    """Adding, changing or removing a step-up policy: a check within
    STEPUP_POLICY_CHANGE_MAX_AGE_SECONDS."""
    return Policy(
        action="policy-change",
        label="Changing a step-up policy",
        max_age=_max_age("policy-change", settings.STEPUP_POLICY_CHANGE_MAX_AGE_SECONDS),
    )


def key_change_policy() -> Policy:
    """Rolling over or promoting the IdP's signing key: a check within
    STEPUP_KEY_CHANGE_MAX_AGE_SECONDS."""
    return Policy(
        action="key-change",
        label="Rolling over or promoting the signing key",
        max_age=_max_age("key-change", settings.STEPUP_KEY_CHANGE_MAX_AGE_SECONDS),
    )


def connection_secrets_policy() -> Policy:
    """Creating a Campus connection or changing its credentials: a check within
    STEPUP_CONNECTION_SECRETS_MAX_AGE_SECONDS."""
    return Policy(
        action="connection-secrets",
        label="Giving a Campus connection its credentials",
        max_age=_max_age("connection-secrets", settings.STEPUP_CONNECTION_SECRETS_MAX_AGE_SECONDS),
    )


# The administrative acts of the dashboard (``idbridge.core.gates``; a BOI commit asks
# through ``boi.views.runs``), each one policy, in the order the step-up page lists them;
# their max ages are editable there (``stepup.services.policies.admin_act_policy_set``).
ADMIN_POLICIES = {
    "boi-commit": boi_commit_policy,
    "role-change": role_change_policy,
    "sp-change": sp_change_policy,
    "policy-change": policy_change_policy,
    "key-change": key_change_policy,
    "connection-secrets": connection_secrets_policy,
}


def admin_policies() -> list[Policy]:
    return [make() for make in ADMIN_POLICIES.values()]


class DashboardPasskeyGate:
    """The passkey answer of :mod:`idbridge.core.gates`, installed by ``StepupConfig``:
    the signed-in person's own passkey check, held to the act's policy."""

    def label(self, action: str) -> str:
        return ADMIN_POLICIES[action]().title if action in ADMIN_POLICIES else ""

    def check(self, request, action: str) -> GateAnswer:
        policy = ADMIN_POLICIES[action]()
        decision = fresh_check_decision(
            request,
            policy,
            email=request.user.email,
            signed_out_reason=f"{policy.title} needs a fresh check with your passkey.",
        )
        return GateAnswer(decision.allowed, decision.reason)

    def check_url(self, request, action: str, next_url: str) -> str:
        title = ADMIN_POLICIES[action]().title
        return step_up_url(
            request,
            next_url=next_url,
            reason=title[0].lower() + title[1:],
            sp="idbridge dashboard",
            email=request.user.email,
            policy=action,
        )


def fresh_check_decision(
    request,
    policy: Policy,
    *,
    email: str | None = None,
    signed_out_reason: str = "Verify with your passkey to continue.",
    now: datetime | None = None,
) -> Decision:
    """``policy``'s decision for the person signed in to the IdP in this session.

    ``email``: whose check counts, when the action is someone else's login (the dashboard
    user): the IdP subject's e-mail must be it. ``signed_out_reason``: the sentence when
    nobody has signed in to the IdP in this session.
    """
    subject = sso_session_subject(request)
    if subject is None:
        return _refused(policy, signed_out_reason)
    if email is not None and not _same_email(subject.email, email):
        return _refused(policy, NOT_YOURS)
    return evaluate(policy, sso_session_events(request), now or timezone.now())


def _same_email(a: str, b: str) -> bool:
    b = (b or "").strip().lower()
    return bool(b) and (a or "").strip().lower() == b


def _refused(policy: Policy, reason: str) -> Decision:
    return Decision(allowed=False, reason=reason, needs_fresh_check=True, policy=policy.action)


def step_up_url(
    request, *, next_url: str, reason: str, sp: str, email: str, policy: str = ""
) -> str:
    """Where idbridge's own pages send a person for a fresh passkey check (step-up mode);
    the ceremony resumes at ``next_url``. ``email`` names whose passkey must answer;
    ``policy`` the action asking (an unfinished check is counted against it)."""
    request.session[CHALLENGE_KEY] = {
        "mode": "step-up",
        "reason": reason,
        "sp": sp,
        "email": email,
        "policy": policy,
    }
    return reverse("stepup:authenticate") + "?" + urlencode({"next": next_url})
