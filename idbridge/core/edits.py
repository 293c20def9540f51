"""Two people editing one record at once: the edit form carries when the record was last
saved as its editor saw it (``SeenField``); a save that finds it saved since is refused in
words (``edit_seen_check``) instead of silently undoing the other person's change."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from idbridge.core.times import local_time


class EditConflict(ValidationError):
    """The record was saved by someone else after the editor opened it."""


class SeenField(forms.CharField):
    """Hidden: the record's ``updated_at`` when the form was shown (to the microsecond)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, datetime) else value

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None


def edit_seen_check(model, pk: int, seen: datetime | None, what: str) -> None:
    """Lock the record's row and raise ``EditConflict`` when it was saved after ``seen``
    (its ``updated_at`` as the editor's form had it). Call inside the save's transaction.
    ``seen`` None (no form, e.g. a management command): nothing to compare."""
    if seen is None:
        return
    rows = model.objects.select_for_update().filter(pk=pk)
    current = rows.values_list("updated_at", flat=True).first()
    if current is not None and current != seen:
        raise EditConflict(
            f"Someone else saved {what} at {local_time(current)}, after you opened it, so "
            "your changes were not saved. The form now shows what is saved: make your "
            "changes again and save."
        )
