"""The replay cache: each request ID is answered once, by any worker."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import connection
from django.utils import timezone

from stepup.models import SeenRequest


def authn_request_claim(sp_entity_id: str, request_id: str, keep_until: datetime) -> bool:
    """Record a request ID as used; False when it was used before (by any worker).

    One statement, ``INSERT ... ON CONFLICT DO NOTHING`` (PostgreSQL, SQLite >= 3.24):
    the database decides atomically which of two racing workers inserted the row, with
    no transaction or savepoint around it.
    """
    digest = hashlib.sha256(f"{sp_entity_id}\x00{request_id}".encode()).hexdigest()
    meta, qn = SeenRequest._meta, connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({qn('digest')}, {qn('expires_at')})"  # noqa: S608
        " VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    expires = meta.get_field("expires_at").get_db_prep_save(keep_until, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest, expires])
        return cursor.rowcount == 1


def seen_requests_purge(*, now: datetime | None = None) -> int:
    deleted, _ = SeenRequest.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
