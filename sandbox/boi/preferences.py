"""Business Office Preferences (one row): field locks and the household/address switch."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from idbridge.audit.services import audit_record
from sandbox.models import BoiPreferences, Person

FIELDS = (
    "lock_demographics",
    "lock_identities",
    "lock_employment",
    "lock_assignments",
    "lock_households",
    "allow_household_updates",
)


def preferences_get() -> BoiPreferences:
    """The preferences (defaults, unsaved, when nobody ever saved them)."""
    return BoiPreferences.objects.filter(pk=1).first() or BoiPreferences(pk=1)


def preferences_set(*, actor, **values: bool) -> BoiPreferences:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown preference(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        prefs, _ = BoiPreferences.objects.select_for_update().get_or_create(pk=1)
        before = {name: getattr(prefs, name) for name in FIELDS}
        for name, value in values.items():
            setattr(prefs, name, bool(value))
        prefs.updated_at = timezone.now()
        prefs.save()
        after = {name: getattr(prefs, name) for name in FIELDS}
        audit_record(
            actor=actor,
            action="campus.boi_preferences_saved",
            target=prefs,
            details={"changed": {k: after[k] for k in FIELDS if before[k] != after[k]}},
        )
    return prefs


def person_locked_areas(person: Person, prefs: BoiPreferences | None = None) -> set[str]:
    """The areas of this person the sandbox UI must not let anyone edit by hand.

    Only staff written by the HR system (``hr_synced_at``) are locked, and only in the
    areas whose preference is checked.
    """
    if person.hr_synced_at is None:
        return set()
    prefs = prefs or preferences_get()
    return {area for area in BoiPreferences.LOCK_AREAS if prefs.is_locked(area)}
