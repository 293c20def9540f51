"""The replay cache: each request ID is answered once, by any worker."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from stepup.models import SeenRequest


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
