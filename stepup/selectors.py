"""Reads for the step-up dashboard."""

from datetime import datetime, time

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from stepup.models import ServiceProvider, SigningKey, StepUpPolicy

# Audit actions of the SSO flow, as the activity filter offers them.
ACTIVITY_KINDS = {
    "assertion": ("stepup.assertion_issued", "Assertions issued"),
    "challenge": ("stepup.challenge", "Step-up challenges"),
    "check_succeeded": ("stepup.check_succeeded", "Checks passed"),
    "check_failed": ("stepup.check_failed", "Checks failed"),
    "denied": ("stepup.denied", "Denials"),
    "refused": ("stepup.request_refused", "Refused requests"),
    "logout": ("stepup.logout", "Logouts"),
    "config": ("stepup.sp_|stepup.policy_|stepup.key_", "Configuration changes"),
}


def service_provider_list() -> QuerySet:
    return ServiceProvider.objects.all()


def service_provider_get(pk: int) -> ServiceProvider:
    return get_object_or_404(ServiceProvider, pk=pk)


def step_up_policy_list() -> QuerySet:
    return StepUpPolicy.objects.select_related("service_provider")


def step_up_policy_get(pk: int) -> StepUpPolicy:
    return get_object_or_404(StepUpPolicy.objects.select_related("service_provider"), pk=pk)


def signing_key_list() -> QuerySet:
    return SigningKey.objects.exclude(status=SigningKey.RETIRED).order_by("status")


def _day(value: str, *, end: bool) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def stepup_activity(*, kind="", sp="", subject="", since="", until="") -> QuerySet:
    """Audit entries of the IdP, newest first, filtered. ``subject`` matches the staff
    label (``staff:<number>``) or the subject id recorded in the details."""
    entries = AuditEntry.objects.filter(action__startswith="stepup.")
    if kind in ACTIVITY_KINDS:
        prefixes = ACTIVITY_KINDS[kind][0].split("|")
        condition = Q()
        for prefix in prefixes:
            condition |= Q(action__startswith=prefix)
        entries = entries.filter(condition)
    if sp:
        entries = entries.filter(target__icontains=sp)
    if subject:
        entries = entries.filter(
            Q(actor_label=subject) | Q(actor_label=f"staff:{subject}") | Q(details__subject=subject)
        )
    start, stop = _day(since, end=False), _day(until, end=True)
    if start:
        entries = entries.filter(created_at__gte=start)
    if stop:
        entries = entries.filter(created_at__lte=stop)
    return entries
