"""The registry of service providers: register from metadata, change the district's
options, replace the metadata, delete."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from idbridge.audit.services import audit_record
from idbridge.core.edits import edit_seen_check
from stepup.models import ServiceProvider
from stepup.saml import keys as saml_keys
from stepup.saml.metadata import SpMetadata
from stepup.services.state import config_changed

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
        config_changed()
    return sp


def service_provider_update(
    *, sp: ServiceProvider, actor, seen: datetime | None = None, **changes
) -> ServiceProvider:
    """Change the district's options for an SP (not its metadata); ``seen`` (when its
    editor's form was shown) refuses the change with ``EditConflict`` if someone else
    saved the SP since (its options or its metadata)."""
    unknown = set(changes) - set(SP_OPTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        edit_seen_check(ServiceProvider, sp.pk, seen, "this service provider")
        before = _sp_summary(sp)
        for name, value in changes.items():
            setattr(sp, name, value)
        _check_encryption(sp)
        sp.save(update_fields=[*changes, "updated_at"])
        after = _sp_summary(sp)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        audit_record(actor=actor, action="stepup.sp_updated", target=sp, details=changed)
        config_changed()
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
        config_changed()
    return sp


def service_provider_delete(*, sp: ServiceProvider, actor) -> None:
    with transaction.atomic():
        summary = _sp_summary(sp)
        label = f"stepup.serviceprovider:{sp.pk}"
        sp.delete()
        audit_record(actor=actor, action="stepup.sp_deleted", target=label, details=summary)
        config_changed()
