"""The IdP's signing keys: generated on first use, rolled over (next), promoted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from stepup.models import SigningKey
from stepup.runtime import idp_host
from stepup.saml import keys as saml_keys
from stepup.services.state import config_changed


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
            config_changed()
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
        config_changed()
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
        config_changed()
    return nxt
