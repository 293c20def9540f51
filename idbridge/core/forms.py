"""The dashboard's own forms (parsing and validation only)."""

from django import forms


class DateRangeForm(forms.Form):
    """A list's date range: whole days, both ends included (the district's time zone)."""

    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


class OutboxFilterForm(DateRangeForm):
    """The outbox's search: recipient or subject words, and a date range (inclusive)."""

    q = forms.CharField(label="Recipient or subject", required=False, max_length=200)
    field_order = ["q", "since", "until"]
