"""Every write of the step-up IdP, each with its audit entry in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from idbridge.audit.services import audit_record
from stepup.models import IdpState, SeenRequest, ServiceProvider, SigningKey, StepUpPolicy
from stepup.policy import AuthEvent, Decision
from stepup.runtime import idp_host
from stepup.saml import keys as saml_keys
from stepup.saml.metadata import SpMetadata
from stepup.subjects import Subject

# --- configuration version and state ----------------------------------------------------


def idp_state_ensure() -> IdpState:
    """The IdP's state row, created (with a new NameID secret) on first use."""
    state = IdpState.objects.filter(id=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return IdpState.objects.create(id=1, nameid_secret=secrets.token_hex(32))
    except IntegrityError:  # another process created it first
        return IdpState.objects.get(id=1)


def _config_changed() -> None:
    """Every process rebuilds its cached IdP server on its next SAML request."""
    idp_state_ensure()
    IdpState.objects.filter(id=1).update(config_version=F("config_version") + 1)


# --- signing keys ------------------------------------------------------------------------


def _new_key(status: str) -> SigningKey:
    pair = saml_keys.generate_key_pair(idp_host())
    return SigningKey.objects.create(
        status=status,
        private_key=pair.private_key_pem,
        certificate=pair.certificate_pem,
        fingerprint=saml_keys.fingerprint(pair.certificate_pem),
        not_after=pair.not_after,
        promoted_at=timezone.now() if status == SigningKey.CURRENT else None,
    )


def signing_key_ensure() -> SigningKey:
    """The current signing key, generated on first use (safe when workers race)."""
    key = SigningKey.objects.filter(status=SigningKey.CURRENT).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key(SigningKey.CURRENT)
            audit_record(
                actor=None,
                action="stepup.key_generated",
                target=key,
                details={"status": key.status, "fingerprint": key.fingerprint},
            )
            _config_changed()
            return key
    except IntegrityError:
        return SigningKey.objects.get(status=SigningKey.CURRENT)


def signing_key_rollover(*, actor) -> SigningKey:
    """Generate the *next* key: published in metadata beside the current one, not used
    to sign until :func:`signing_key_promote`. Give SPs time to fetch the metadata."""
    signing_key_ensure()
    with transaction.atomic():
        if SigningKey.objects.filter(status=SigningKey.NEXT).exists():
            raise ValidationError("A next key already exists: promote it first.")
        key = _new_key(SigningKey.NEXT)
        audit_record(
            actor=actor,
            action="stepup.key_rollover_started",
            target=key,
            details={"fingerprint": key.fingerprint},
        )
        _config_changed()
    return key


def signing_key_promote(*, actor) -> SigningKey:
    """The next key becomes current and signs from now on; the old one is retired."""
    with transaction.atomic():
        nxt = SigningKey.objects.select_for_update().filter(status=SigningKey.NEXT).first()
        if nxt is None:
            raise ValidationError("There is no next key to promote: start a rollover first.")
        now = timezone.now()
        old = SigningKey.objects.select_for_update().filter(status=SigningKey.CURRENT).first()
        if old is not None:
            old.status, old.retired_at = SigningKey.RETIRED, now
            old.save(update_fields=["status", "retired_at"])
        nxt.status, nxt.promoted_at = SigningKey.CURRENT, now
        nxt.save(update_fields=["status", "promoted_at"])
        audit_record(
            actor=actor,
            action="stepup.key_promoted",
            target=nxt,
            details={
                "fingerprint": nxt.fingerprint,
                "retired": old.fingerprint if old is not None else None,
            },
        )
        _config_changed()
    return nxt


# --- service providers ---------------------------------------------------------------------

SP_OPTION_FIELDS = (
    "name",
    "require_signed_requests",
    "encrypt_assertions",
    "name_id_format",
    "released_attributes",
    "enabled",
)


def _metadata_fields(metadata: SpMetadata) -> dict:
    return {
        "metadata_xml": metadata.xml,
        "acs_endpoints": [e.as_dict() for e in metadata.acs],
        "slo_endpoints": [e.as_dict() for e in metadata.slo],
        "signing_certificates": list(metadata.signing_certs),
        "encryption_certificates": list(metadata.encryption_certs),
        "metadata_wants_signed_requests": metadata.authn_requests_signed,
    }


def _sp_summary(sp: ServiceProvider) -> dict:
    return {
        "entity_id": sp.entity_id,
        "acs": [e["url"] for e in sp.acs_endpoints],
        "signing_certificates": [saml_keys.fingerprint(c) for c in sp.signing_certificates],
        "require_signed_requests": sp.require_signed_requests,
        "metadata_wants_signed_requests": sp.metadata_wants_signed_requests,
        "encrypt_assertions": sp.encrypt_assertions,
        "name_id_format": sp.name_id_format,
        "released_attributes": sp.released_attributes,
        "enabled": sp.enabled,
    }


def _check_encryption(sp: ServiceProvider) -> None:
    if sp.encrypt_assertions and not sp.encryption_certificates:
        raise ValidationError(
            "The SP's metadata has no encryption certificate, so its assertions cannot be "
            "encrypted."
        )


def service_provider_register(
    *,
    metadata: SpMetadata,
    actor,
    metadata_url: str = "",
    name: str = "",
    require_signed_requests: bool = False,
    encrypt_assertions: bool = False,
    name_id_format: str = ServiceProvider._meta.get_field("name_id_format").default,
    released_attributes: list[str] | None = None,
    enabled: bool = True,
) -> ServiceProvider:
    """Register an SP from its parsed metadata. Refuses an entity ID already registered."""
    with transaction.atomic():
        if ServiceProvider.objects.filter(entity_id=metadata.entity_id).exists():
            raise ValidationError(f"{metadata.entity_id} is already registered.")
        sp = ServiceProvider(
            entity_id=metadata.entity_id,
            name=name or metadata.name,
            metadata_url=metadata_url,
            require_signed_requests=require_signed_requests,
            encrypt_assertions=encrypt_assertions,
            name_id_format=name_id_format,
            released_attributes=list(
                ServiceProvider.DEFAULT_ATTRIBUTES
                if released_attributes is None
                else released_attributes
            ),
            enabled=enabled,
            **_metadata_fields(metadata),
        )
        _check_encryption(sp)
        sp.save()
        audit_record(actor=actor, action="stepup.sp_registered", target=sp, details=_sp_summary(sp))
        _config_changed()
    return sp


def service_provider_update(*, sp: ServiceProvider, actor, **changes) -> ServiceProvider:
    """Change the district's options for an SP (not its metadata)."""
    unknown = set(changes) - set(SP_OPTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        before = _sp_summary(sp)
        for name, value in changes.items():
            setattr(sp, name, value)
        _check_encryption(sp)
        sp.save(update_fields=[*changes, "updated_at"])
        after = _sp_summary(sp)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        audit_record(actor=actor, action="stepup.sp_updated", target=sp, details=changed)
        _config_changed()
    return sp


def service_provider_replace_metadata(
    *, sp: ServiceProvider, metadata: SpMetadata, actor, metadata_url: str | None = None
) -> ServiceProvider:
    """New metadata for the same entity ID (certificate rollover at the SP, new ACS...)."""
    if metadata.entity_id != sp.entity_id:
        raise ValidationError(f"This metadata is for {metadata.entity_id}, not {sp.entity_id}.")
    with transaction.atomic():
        before = _sp_summary(sp)
        for name, value in _metadata_fields(metadata).items():
            setattr(sp, name, value)
        if metadata_url is not None:
            sp.metadata_url = metadata_url
        _check_encryption(sp)
        sp.save()
        after = _sp_summary(sp)
        audit_record(
            actor=actor,
            action="stepup.sp_metadata_replaced",
            target=sp,
            details={
                k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]
            },
        )
        _config_changed()
    return sp


def service_provider_delete(*, sp: ServiceProvider, actor) -> None:
    with transaction.atomic():
        summary = _sp_summary(sp)
        label = f"stepup.serviceprovider:{sp.pk}"
        sp.delete()
        audit_record(actor=actor, action="stepup.sp_deleted", target=label, details=summary)
        _config_changed()


# --- policies ---------------------------------------------------------------------------

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
    import re

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
        _config_changed()
    return p


def step_up_policy_update(*, policy: StepUpPolicy, actor, **changes) -> StepUpPolicy:
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not policy fields: {sorted(unknown)}")
    with transaction.atomic():
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
        _config_changed()
    return policy


def step_up_policy_delete(*, policy: StepUpPolicy, actor) -> None:
    with transaction.atomic():
        summary = _policy_summary(policy)
        label = f"stepup.stepuppolicy:{policy.pk}"
        policy.delete()
        audit_record(actor=actor, action="stepup.policy_deleted", target=label, details=summary)
        _config_changed()


# --- replay cache --------------------------------------------------------------------------


def authn_request_claim(sp_entity_id: str, request_id: str, keep_until: datetime) -> bool:
    """Record a request ID as used; False when it was used before (by any worker)."""
    digest = hashlib.sha256(f"{sp_entity_id}\x00{request_id}".encode()).hexdigest()
    try:
        with transaction.atomic():
            SeenRequest.objects.create(digest=digest, expires_at=keep_until)
    except IntegrityError:
        return False
    return True


def seen_requests_purge(*, now: datetime | None = None) -> int:
    deleted, _ = SeenRequest.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


# --- the SSO flow's audit trail -------------------------------------------------------------


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
    *, subject: Subject, event: AuthEvent | None, succeeded: bool, reason: str = ""
) -> None:
    """For the passkey ceremonies: a check passed (with its event) or failed (why)."""
    audit_record(
        actor=subject.label,
        action="stepup.check_succeeded" if succeeded else "stepup.check_failed",
        target=subject.label,
        details={
            "subject": subject.subject_id,
            "method": event.method if event else None,
            "at": _iso(event.at) if event else None,
            "user_verified": event.user_verified if event else None,
            "reason": reason,
        },
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
