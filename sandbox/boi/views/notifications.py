"""Notifications, the tool rights that make a user eligible, and the Message Center."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from idbridge.core.access import permission_required
from sandbox.boi import notifications
from sandbox.boi.forms import NotificationForm
from sandbox.boi.views.common import VIEW, page_context, require_manage
from sandbox.models import BoiNotification, CampusToolRights


def _notifications_page(request, *, form=None, status=200):
    return render(
        request,
        "sandbox/boi/notifications.html",
        page_context(
            request,
            "boi",
            notifications=BoiNotification.objects.prefetch_related("recipients__user"),
            form=form or NotificationForm(),
            eligible=notifications.eligible_recipients().count(),
        ),
        status=status,
    )


def _notification_save(request, form: NotificationForm, notification=None) -> bool | None:
    """Save a posted notification form: whether the notification is kept (False: deleted,
    every recipient removed), or None with the form's error set."""
    if not form.is_valid():
        return None
    try:
        saved = notifications.notification_save(
            kind=form.cleaned_data["kind"],
            recipient_ids=[u.pk for u in form.cleaned_data["recipients"]],
            actor=request.user,
            notification=notification,
        )
    except notifications.NotificationError as exc:
        form.add_error(None, str(exc))
        return None
    return saved is not None


@permission_required(VIEW)
def notifications_view(request):
    if request.method != "POST":
        return _notifications_page(request)
    require_manage(request)
    form = NotificationForm(request.POST)
    if _notification_save(request, form) is None:
        return _notifications_page(request, form=form, status=400)
    messages.success(request, "Notification saved.")
    return redirect("campus:boi_notifications")


def _notification_form(notification: BoiNotification) -> NotificationForm:
    return NotificationForm(
        initial={
            "kind": notification.kind,
            "recipients": [r.user_id for r in notification.recipients.all()],
        }
    )


@permission_required(VIEW)
def notification_edit(request, pk: int):
    notification = get_object_or_404(BoiNotification, pk=pk)
    if request.method == "POST":
        require_manage(request)
        form = NotificationForm(request.POST)
        kept = _notification_save(request, form, notification)
        if kept is not None:
            text = (
                "Notification saved." if kept else "Every recipient removed: notification deleted."
            )
            messages.success(request, text)
            return redirect("campus:boi_notifications")
    else:
        form = _notification_form(notification)
    return render(
        request,
        "sandbox/boi/notification_edit.html",
        page_context(request, "boi", notification=notification, form=form),
        status=400 if form.errors else 200,
    )


@permission_required(VIEW)
def tool_rights(request):
    User = get_user_model()
    if request.method == "POST":
        require_manage(request)
        user = get_object_or_404(User, pk=request.POST.get("user"))
        notifications.tool_rights_set(
            user=user,
            district_employment=request.POST.get("district_employment") == "on",
            district_assignments=request.POST.get("district_assignments") == "on",
            actor=request.user,
        )
        messages.success(request, f"Tool rights of {user.get_username()} saved.")
        return redirect("campus:boi_tool_rights")
    rights = {r.user_id: r for r in CampusToolRights.objects.all()}
    users = [
        (u, rights.get(u.pk)) for u in User.objects.filter(is_active=True).order_by("username")
    ]
    return render(
        request, "sandbox/boi/tool_rights.html", page_context(request, "boi", users=users)
    )


@permission_required(VIEW)
def message_center(request):
    if request.method == "POST":
        notifications.message_mark_read(
            user=request.user, message_id=int(request.POST.get("message", 0) or 0)
        )
        return redirect("campus:boi_messages")
    page = Paginator(notifications.messages_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sandbox/boi/messages.html", page_context(request, "boi", page=page))
