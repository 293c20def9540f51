"""The one way to write to the audit log."""

import json

from django.db import transaction
from django.utils import timezone

from idbridge.audit import chain
from idbridge.audit.models import AuditEntry, ChainHead
from idbridge.core.logging import redact_value


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username() if actor.is_authenticated else "anonymous"


def _target_label(target) -> str:
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return f"{target._meta.label_lower}:{target.pk}"


def audit_record(*, actor, action: str, target=None, details: dict | None = None) -> AuditEntry:
    """Append an entry, chained to the previous one.

    ``actor`` is a user, a label such as ``"campus:poller"``, or None for the system;
    ``target`` a model instance or a label. Runs in the caller's transaction when there
    is one, so the entry commits or rolls back with the change it describes. Details are
    redacted like logs (no SSN, secret or token is ever stored in the audit log).
    """
    clean_details = redact_value("", json.loads(json.dumps(details or {}, default=str)))
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_seq": 0, "last_hash": chain.GENESIS}
        )
        entry = AuditEntry(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=_actor_label(actor),
            action=action,
            target=_target_label(target),
            details=clean_details,
            prev_hash=head.last_hash,
        )
        entry.hash = chain.link_hash(entry.prev_hash, entry.chained_fields())
        entry.save()
        ChainHead.objects.filter(id=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


def audit_verify() -> chain.Break | None:
    """The first broken link of the whole chain, or None when it is intact."""
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)
    rows = (
        (e.seq, e.id, e.prev_hash, e.hash, e.chained_fields())
        for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    )
    return chain.verify(rows, head_seq, head_hash)
