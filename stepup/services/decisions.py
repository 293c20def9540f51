"""The audit trail of the SSO flow and the passkey checks: refusals, challenges,
denials, assertions issued, checks passed or failed, logouts."""

from __future__ import annotations

from datetime import datetime

from idbridge.audit.services import audit_record
from stepup.ceremonies.outcomes import Failure
from stepup.policy import AuthEvent, Decision
from stepup.subjects import Subject


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def authn_request_refused_record(
    *, code: str, message: str, sp_entity_id: str, request_id: str, binding: str, client_ip: str
) -> None:
    audit_record(
        actor=f"saml:{sp_entity_id}" if sp_entity_id else "anonymous",
        action="stepup.request_refused",
        target=f"sp:{sp_entity_id}" if sp_entity_id else "",
        details={
            "code": code,
            "reason": message,
            "request_id": request_id,
            "binding": binding.rsplit(":", 1)[-1],
            "client_ip": client_ip,
        },
    )


def assertion_issued_record(
    *,
    subject: Subject,
    sp_entity_id: str,
    request_id: str,
    response_id: str,
    decision: Decision,
    acs_url: str,
    encrypted: bool,
) -> None:
    audit_record(
        actor=subject.label,
        action="stepup.assertion_issued",
        target=f"sp:{sp_entity_id}",
        details={
            "subject": subject.subject_id,
            "sp": sp_entity_id,
            "class_ref": decision.class_ref,
            "authn_instant": _iso(decision.authn_instant),
            "policy": decision.policy,
            "decision": decision.reason,
            "request_id": request_id,
            "response_id": response_id,
            "acs_url": acs_url,
            "encrypted": encrypted,
        },
    )


def step_up_challenge_record(
    *, subject: Subject | None, sp_entity_id: str, request_id: str, decision: Decision
) -> None:
    """The user is sent to a passkey check (sign-in or a fresh step-up check)."""
    audit_record(
        actor=subject.label if subject else "anonymous",
        action="stepup.challenge",
        target=f"sp:{sp_entity_id}",
        details={
            "subject": subject.subject_id if subject else None,
            "sp": sp_entity_id,
            "policy": decision.policy,
            "reason": decision.reason,
            "request_id": request_id,
        },
    )


def step_up_denial_record(
    *,
    subject: Subject | None,
    sp_entity_id: str,
    request_id: str,
    decision: Decision,
    status: str,
) -> None:
    """No assertion: a role is missing, the context cannot be given, IsPassive, ..."""
    audit_record(
        actor=subject.label if subject else "anonymous",
        action="stepup.denied",
        target=f"sp:{sp_entity_id}",
        details={
            "subject": subject.subject_id if subject else None,
            "sp": sp_entity_id,
            "policy": decision.policy,
            "reason": decision.reason,
            "status": status,
            "request_id": request_id,
        },
    )


def step_up_check_record(
    *,
    subject: Subject,
    event: AuthEvent | None,
    succeeded: bool,
    reason: str = "",
    failure: Failure | None = None,
) -> None:
    """For the passkey ceremonies: a check passed (with its event) or failed (why:
    ``failure`` when it is one of ``stepup.ceremonies.outcomes``, else ``reason``)."""
    details = {
        "subject": subject.subject_id,
        "method": event.method if event else None,
        "at": _iso(event.at) if event else None,
        "user_verified": event.user_verified if event else None,
        "reason": failure.audit if failure else reason,
    }
    if failure:
        details["outcome"] = failure.code
    audit_record(
        actor=subject.label,
        action="stepup.check_succeeded" if succeeded else "stepup.check_failed",
        target=subject.label,
        details=details,
    )


def sso_logout_record(*, subject: Subject | None, sp_entity_id: str, request_id: str) -> None:
    audit_record(
        actor=subject.label if subject else "anonymous",
        action="stepup.logout",
        target=f"sp:{sp_entity_id}",
        details={
            "subject": subject.subject_id if subject else None,
            "sp": sp_entity_id,
            "request_id": request_id,
        },
    )


def check_not_completed_record(
    *, subject: Subject | None, failure: Failure, policy: str | None = None
) -> None:
    """The browser gave up on a passkey check (timed out, declined, refused): in words;
    ``policy``: the action that asked for the check, when one did."""
    audit_record(
        actor=subject.label if subject else "anonymous",
        action="stepup.check_not_completed",
        target=subject.label if subject else "stepup:authenticate",
        details={
            "subject": subject.subject_id if subject else None,
            "reason": failure.audit,
            "outcome": failure.code,
            "policy": policy,
        },
    )
