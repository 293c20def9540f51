"""Business Office Notifications and the Message Center they deliver to.

A notification has a type (HR-Staff: the HR system created or updated staff or their
district assignments; HR Sync Commit: a sync commit finished) and recipients. Only users
holding the District Employment and/or District Assignments tool right may be recipients
(``CampusToolRights``); a notification left without recipients is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.audit.services import audit_record
from sandbox.models import (
    BoiNotification,
    BoiNotificationRecipient,
    CampusToolRights,
    MessageCenterMessage,
)


class NotificationError(ValueError):
    pass


def eligible_recipients():
    """Users who may receive Business Office notifications."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(campus_tool_rights__district_employment=True)
            | Q(campus_tool_rights__district_assignments=True)
        )
        .order_by("username")
    )


def tool_rights_set(*, user, district_employment: bool, district_assignments: bool, actor):
    with transaction.atomic():
        rights, _ = CampusToolRights.objects.get_or_create(user=user)
        rights.district_employment = district_employment
        rights.district_assignments = district_assignments
        rights.save()
        removed = 0
        if not rights.may_receive_boi_notifications:
            removed = _remove_recipient_everywhere(user)
        audit_record(
            actor=actor,
            action="campus.tool_rights_set",
            target=f"auth.user:{user.pk}",
            details={
                "district_employment": district_employment,
                "district_assignments": district_assignments,
                "notifications_left": removed,
            },
        )
    return rights


def _remove_recipient_everywhere(user) -> int:
    ids = list(
        BoiNotificationRecipient.objects.filter(user=user).values_list("notification_id", flat=True)
    )
    BoiNotificationRecipient.objects.filter(user=user).delete()
    _delete_empty(ids)
    return len(ids)


def _delete_empty(notification_ids: Iterable[int]) -> None:
    BoiNotification.objects.filter(pk__in=list(notification_ids), recipients__isnull=True).delete()


def _recipients_check(wanted: set[int]) -> None:
    allowed = set(eligible_recipients().filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise NotificationError(
            "recipients must hold District Employment and/or District Assignments tool rights"
        )


def _notification_write(
    kind: str, wanted: set[int], notification: BoiNotification | None
) -> BoiNotification:
    """The notification (new or edited) with exactly the ``wanted`` recipients."""
    now = timezone.now()
    if notification is None:
        notification = BoiNotification.objects.create(kind=kind, created_at=now, updated_at=now)
    else:
        notification.kind = kind
        notification.updated_at = now
        notification.save(update_fields=["kind", "updated_at"])
    BoiNotificationRecipient.objects.filter(notification=notification).exclude(
        user_id__in=wanted
    ).delete()
    have = set(notification.recipients.values_list("user_id", flat=True))
    BoiNotificationRecipient.objects.bulk_create(
        [BoiNotificationRecipient(notification=notification, user_id=u) for u in wanted - have]
    )
    return notification


def _notification_delete_emptied(notification: BoiNotification, actor) -> None:
    notification_id = notification.pk
    notification.delete()
    audit_record(
        actor=actor,
        action="campus.boi_notification_deleted",
        target=f"campus.boinotification:{notification_id}",
        details={"reason": "all recipients removed"},
    )


def notification_save(
    *, kind: str, recipient_ids: Iterable[int], actor, notification: BoiNotification | None = None
) -> BoiNotification | None:
    """Create or edit a notification. No recipients left → it is deleted (returns None)."""
    if kind not in BoiNotification.Kind.values:
        raise NotificationError(f"unknown notification type {kind!r}")
    wanted = set(recipient_ids)
    _recipients_check(wanted)
    with transaction.atomic():
        if notification is not None and not wanted:
            _notification_delete_emptied(notification, actor)
            return None
        if not wanted:
            raise NotificationError("a notification needs at least one recipient")
        notification = _notification_write(kind, wanted, notification)
        audit_record(
            actor=actor,
            action="campus.boi_notification_saved",
            target=notification,
            details={"kind": kind, "recipients": sorted(wanted)},
        )
    return notification


def notify(*, kind: str, subject: str, body: str = "") -> int:
    """Put a message in the Message Center of everyone a notification of ``kind`` names
    (who still holds the tool rights). Returns how many messages were delivered."""
    users = set(
        BoiNotificationRecipient.objects.filter(notification__kind=kind)
        .filter(
            Q(user__campus_tool_rights__district_employment=True)
            | Q(user__campus_tool_rights__district_assignments=True),
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
    )
    now = timezone.now()
    MessageCenterMessage.objects.bulk_create(
        [
            MessageCenterMessage(
                user_id=user_id, kind=kind, subject=subject[:200], body=body, created_at=now
            )
            for user_id in sorted(users)
        ]
    )
    return len(users)


def messages_for(user):
    return MessageCenterMessage.objects.filter(user=user)


def message_mark_read(*, user, message_id: int) -> None:
    MessageCenterMessage.objects.filter(user=user, pk=message_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
