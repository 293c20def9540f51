"""The error log (every failed Campus call, SSNs masked) and operator alerts."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from boi.models import Alert, ErrorLogEntry
from boi.rules.staff import mask_ssns
from idbridge.audit.services import audit_record
from idbridge.connectors.boi.types import CallFailure
from idbridge.core.mail import mail_send

log = logging.getLogger(__name__)
MAX_PAYLOAD_CHARS = 100_000


def masked_payload(payload) -> str:
    if payload is None:
        return ""
    text = json.dumps(mask_ssns(payload), indent=1, default=str)
    if len(text) > MAX_PAYLOAD_CHARS:
        text = text[:MAX_PAYLOAD_CHARS] + f"\n… ({len(text) - MAX_PAYLOAD_CHARS} more characters)"
    return text


def error_log_record(*, connection, run, failure: CallFailure) -> ErrorLogEntry:
    entry = ErrorLogEntry.objects.create(
        connection=connection,
        run=run,
        action=failure.method,
        path=failure.path[:500],
        status_code=failure.status,
        message=failure.message,
        payload=masked_payload(failure.payload),
        permanent=failure.permanent,
    )
    log.warning(
        "BOI call failed",
        extra={"method": failure.method, "path": failure.path, "status": failure.status},
    )
    return entry


def operator_emails() -> list[str]:
    """HR operators and district admins with an e-mail address (the console's users)."""
    users = get_user_model().objects.filter(
        Q(groups__permissions__codename="manage_boi") | Q(is_superuser=True), is_active=True
    )
    return sorted({u.email for u in users.distinct() if u.email})


def alert_raise(*, run, level: str, title: str, body: str = "") -> Alert:
    """A dashboard alert, e-mailed to the operators once the transaction commits."""
    alert = Alert.objects.create(run=run, level=level, title=title[:200], body=body)
    recipients = operator_emails()
    if recipients:
        link = settings.PUBLIC_BASE_URL + (f"/boi/runs/{run.id}/" if run else "/boi/")
        message = EmailMessage(
            subject=f"[idbridge] {title}"[:200],
            body=f"{title}\n\n{body}\n\n{link}\n",
            to=recipients,
        )
        transaction.on_commit(lambda: mail_send(message, what="boi alert"))
    return alert


def alert_dismiss(*, alert: Alert, actor) -> Alert:
    with transaction.atomic():
        Alert.objects.filter(id=alert.id, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now()
        )
        audit_record(actor=actor, action="boi.alert.dismissed", target=alert, details={})
    return alert


def job_failure_record(*, connection, what: str, path: str, message: str) -> ErrorLogEntry:
    """A console job that failed (not one Campus call): an error-log entry and an alert,
    in the caller's transaction (``idbridge.jobs.services.job_fail`` calls it)."""
    entry = ErrorLogEntry.objects.create(
        connection=connection,
        run=None,
        action="JOB",
        path=path[:500],
        message=message,
        permanent=False,
    )
    alert_raise(run=None, level=Alert.Level.ERROR, title=f"{what} failed", body=message)
    return entry
