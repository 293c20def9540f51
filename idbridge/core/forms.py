"""The dashboard's own forms (parsing and validation only)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class PlainInput:
    """An ``<input>`` made in Python, as Django's template would make it (a search box
    and its dates on every load of a list: mixed into Django's input widgets)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        attrs = flatatt(widget["attrs"])
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], name, shown, attrs)


class PlainTextInput(PlainInput, forms.TextInput):
    pass


class PlainDateInput(PlainInput, forms.DateInput):
    pass


class PlainSelect(forms.Select):
    """A ``<select>`` (choices without groups) made in Python, as Django's template would
    make it: Django renders a template per option, and a list's filters of a dozen
    choices cost its page more than its fifty rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        attrs = flatatt(widget["attrs"])
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


class DateRangeForm(forms.Form):
    """A list's date range: whole days, both ends included (the district's time zone)."""

    since = forms.DateField(
        label="From", required=False, widget=PlainDateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=PlainDateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


class OutboxFilterForm(DateRangeForm):
    """The outbox's search: recipient or subject words, and a date range (inclusive)."""

    q = forms.CharField(
        label="Recipient or subject", required=False, max_length=200, widget=PlainTextInput
    )
    field_order = ["q", "since", "until"]


# What a person is asked to do when a field refuses what they typed, by field type and
# Django's error code (other refusals keep Django's own sentence).
_ASK = {
    (forms.DateField, "invalid"): "enter a date like 2024-09-01",
    (forms.EmailField, "invalid"): "enter an email address like name@example.org",
    (forms.IntegerField, "invalid"): "enter a whole number",
}


def form_errors_in_words(form: forms.Form) -> str:
    """A refused form's errors as one line, each field named by its label, not its name:

    >>> class F(forms.Form):
    ...     hire_date = forms.DateField()
    ...     work_email = forms.EmailField(required=False)
    >>> form_errors_in_words(F({"hire_date": "09/01"}))
    'Hire date: enter a date like 2024-09-01'
    >>> form_errors_in_words(F({"work_email": "x"}))
    'Hire date: required; Work email: enter an email address like name@example.org'
    """
    parts = []
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        words = [_error_words(field, e) for e in errors]
        label = form[name].label if field is not None else ""
        parts.append(f"{label}: {' '.join(words)}" if label else " ".join(words))
    return "; ".join(parts)


def _error_words(field, error) -> str:
    if error.code == "required":
        return "required"
    for (kind, code), words in _ASK.items():
        if isinstance(field, kind) and error.code == code:
            return words
    return " ".join(error.messages)
