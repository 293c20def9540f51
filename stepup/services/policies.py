"""Step-up policies: which SP, context or RelayState needs what check, how fresh."""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from idbridge.audit.services import audit_record
from idbridge.core.edits import edit_seen_check
from stepup.gates import ADMIN_POLICIES
from stepup.models import AdminActPolicy, StepUpPolicy
from stepup.services.state import config_changed

POLICY_FIELDS = (
    "action",
    "label",
    "service_provider",
    "class_ref",
    "relay_state_pattern",
    "max_age_seconds",
    "required_roles",
    "enabled",
)


def _policy_summary(p: StepUpPolicy) -> dict:
    return {
        "action": p.action,
        "label": p.label,
        "service_provider": p.service_provider.entity_id if p.service_provider_id else None,
        "class_ref": p.class_ref,
        "relay_state_pattern": p.relay_state_pattern,
        "max_age_seconds": p.max_age_seconds,
        "required_roles": p.required_roles,
        "enabled": p.enabled,
    }


def _validate_policy(p: StepUpPolicy) -> None:
    if not p.class_ref and not p.relay_state_pattern:
        raise ValidationError(
            "A policy needs a class reference or a RelayState pattern to select requests."
        )
    if p.relay_state_pattern:
        try:
            re.compile(p.relay_state_pattern)
        except re.error as exc:
            raise ValidationError(f"The RelayState pattern is not a valid expression: {exc}.")


def step_up_policy_create(*, actor, **fields) -> StepUpPolicy:
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not policy fields: {sorted(unknown)}")
    with transaction.atomic():
        p = StepUpPolicy(**fields)
        _validate_policy(p)
        p.save()
        audit_record(
            actor=actor, action="stepup.policy_created", target=p, details=_policy_summary(p)
        )
        config_changed()
    return p


def step_up_policy_update(
    *, policy: StepUpPolicy, actor, seen: datetime | None = None, **changes
) -> StepUpPolicy:
    """Change a policy; ``seen`` (when its editor's form was shown) refuses the change
    with ``EditConflict`` if someone else saved the policy since."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not policy fields: {sorted(unknown)}")
    with transaction.atomic():
        edit_seen_check(StepUpPolicy, policy.pk, seen, "this policy")
        before = _policy_summary(policy)
        for name, value in changes.items():
            setattr(policy, name, value)
        _validate_policy(policy)
        policy.save()
        after = _policy_summary(policy)
        audit_record(
            actor=actor,
            action="stepup.policy_updated",
            target=policy,
            details={
                k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]
            },
        )
        config_changed()
    return policy


def step_up_policy_delete(*, policy: StepUpPolicy, actor) -> None:
    with transaction.atomic():
        summary = _policy_summary(policy)
        label = f"stepup.stepuppolicy:{policy.pk}"
        policy.delete()
        audit_record(actor=actor, action="stepup.policy_deleted", target=label, details=summary)
        config_changed()


# --- the administrative acts' freshness (stepup.gates.ADMIN_POLICIES) ---------------------

ACT_MAX_AGE_RANGE = (30, 3600)  # a check made on the way to the act must still count


def within_words(seconds: int) -> str:
    """ "a passkey check within 5 minutes" """
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"a passkey check within {minutes} minute{'s' if minutes != 1 else ''}"
    return f"a passkey check within {seconds} seconds"


def admin_act_policy_set(*, action: str, max_age_seconds: int, actor) -> None:
    """Set how fresh the check for one administrative act must be; audited with the rule
    before and after, in words."""
    if action not in ADMIN_POLICIES:
        raise ValidationError("There is no such administrative act.")
    low, high = ACT_MAX_AGE_RANGE
    if not low <= max_age_seconds <= high:
        raise ValidationError(
            f"Give between {low} seconds and {high // 60} minutes: the check is made on the"
            " way to the act, so a shorter time could never be met."
        )
    with transaction.atomic():
        policy = ADMIN_POLICIES[action]()
        AdminActPolicy.objects.update_or_create(
            action=action, defaults={"max_age_seconds": max_age_seconds}
        )
        if policy.max_age == max_age_seconds:
            return
        audit_record(
            actor=actor,
            action="stepup.act_policy_changed",
            details={
                "act": policy.title,
                "before": within_words(policy.max_age),
                "after": within_words(max_age_seconds),
            },
        )
