"""Campus connections: settings (audited without secrets), a live test, a poll now."""

from __future__ import annotations

from django.db import transaction

from idbridge.audit.services import audit_record
from idbridge.connectors.types import CampusError
from staff.models import CampusConnection


def connection_save(*, form, actor) -> CampusConnection:
    """Save a connection form; the audit entry names the fields changed, never secrets."""
    with transaction.atomic():
        creating = form.instance.pk is None
        connection = form.save()
        changed = [f for f in form.changed_data if f not in form.SECRET_FIELDS]
        secrets_changed = [f for f in form.SECRET_FIELDS if form.cleaned_data.get(f)]
        audit_record(
            actor=actor,
            action="staff.connection.created" if creating else "staff.connection.changed",
            target=connection,
            details={"fields": changed, "credentials_replaced": secrets_changed},
        )
    return connection


def connection_test(*, connection: CampusConnection, actor) -> tuple[bool, str]:
    """Try the credentials now; the answer is shown to the administrator and audited."""
    from staff.connectors import connector_for

    try:
        message, ok = connector_for(connection).test_connection(), True
    except CampusError as exc:
        message, ok = str(exc), False
    audit_record(
        actor=actor,
        action="staff.connection.tested",
        target=connection,
        details={"ok": ok, "message": message[:300]},
    )
    return ok, message


def connection_poll_now(*, connection: CampusConnection, actor, full=False, accept_shrink=False):
    """Queue a poll now; None when one is already queued or running."""
    from staff.polling import poll_queue

    audit_record(
        actor=actor,
        action="staff.connection.poll_requested",
        target=connection,
        details={"full": full, "accept_shrink": accept_shrink},
    )
    return poll_queue(connection_id=connection.id, full=full, accept_shrink=accept_shrink)
