"""The audit log's filters (parsing and validation only)."""

from django import forms

from idbridge.audit.words import known_actions
from idbridge.core.forms import DateRangeForm


class AuditFilterForm(DateRangeForm):
    """Who (a name, user name or staff number), which action, about what, when."""

    actor = forms.CharField(label="Person", required=False, max_length=200)
    action = forms.ChoiceField(label="Action", required=False)
    target = forms.CharField(label="About", required=False, max_length=300)
    field_order = ["actor", "action", "target", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *known_actions()]

    def filters(self) -> dict:
        """The cleaned filters (empty when the form is not valid)."""
        empty = {"actor": "", "action": "", "target": "", "since": None, "until": None}
        if not self.is_valid():
            return empty
        data = {name: self.cleaned_data.get(name) for name in empty}
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
