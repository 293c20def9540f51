"""The error log (every failed Campus call, SSNs masked) and operator alerts."""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from boi.models import Alert, ErrorLogEntry, ErrorLogStaff
from boi.rules.staff import mask_ssns
from idbridge.audit.services import audit_record
from idbridge.connectors.boi.types import CallFailure
from idbridge.core.mail import mail_send

log = logging.getLogger(__name__)
MAX_PAYLOAD_CHARS = 100_000


def masked_request(payload) -> str:
    """The whole request body as the log keeps it: JSON, every SSN masked ("" for none)."""
    if payload is None:
        return ""
    return json.dumps(mask_ssns(payload), indent=1, default=str)


def masked_payload(payload) -> str:
    """The request's first ``MAX_PAYLOAD_CHARS`` characters (the page and the PDF)."""
    return _preview(masked_request(payload))


def _preview(text: str) -> str:
    if len(text) > MAX_PAYLOAD_CHARS:
        text = text[:MAX_PAYLOAD_CHARS] + f"\n… ({len(text) - MAX_PAYLOAD_CHARS} more characters)"
    return text


def staff_numbers_in(payload) -> Iterator[str]:
    """The staff numbers a request body names: a staff object, a list of them, or an
    object holding such a list (``{"staff": [...]}``), each number once.

    >>> list(staff_numbers_in([{"staffNumber": "E1"}, {"staffNumber": "E2"}, {}]))
    ['E1', 'E2']
    """
    seen: set[str] = set()
    items = payload if isinstance(payload, list) else [payload]
    if isinstance(payload, dict) and "staffNumber" not in payload:
        items = [v for value in payload.values() if isinstance(value, list) for v in value]
    for item in items:
        number = str(item.get("staffNumber") or "").strip() if isinstance(item, dict) else ""
        if number and number not in seen and len(number) <= 50:
            seen.add(number)
            yield number


def error_log_record(*, connection, run, failure: CallFailure) -> ErrorLogEntry:
    """An entry for a failed call, keeping its whole request (compressed, SSNs masked) and
    the staff numbers it names."""
    request = masked_request(failure.payload)
    numbers = staff_numbers_in(failure.payload)
    with transaction.atomic():
        entry = _entry_create(connection, run, failure, request, numbers)
    log.warning(
        "BOI call failed",
        extra={"method": failure.method, "path": failure.path, "status": failure.status},
    )
    return entry


def _entry_create(connection, run, failure, request: str, numbers) -> ErrorLogEntry:
    entry = ErrorLogEntry.objects.create(
        connection=connection,
        run=run,
        action=failure.method,
        path=failure.path[:500],
        status_code=failure.status,
        message=failure.message,
        payload=_preview(request),
        request_gz=zlib.compress(request.encode()) if request else b"",
        request_chars=len(request),
        permanent=failure.permanent,
    )
    ErrorLogStaff.objects.bulk_create(
        [ErrorLogStaff(entry=entry, staff_number=n) for n in numbers], batch_size=500
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
