from django import forms

from sandbox.boi.notifications import eligible_recipients
from sandbox.boi.preferences import FIELDS as PREFERENCE_FIELDS
from sandbox.models import BoiNotification, BoiPreferences


class ErrorLogFilterForm(forms.Form):
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.ChoiceField(required=False, label="Action")
    path = forms.CharField(required=False, max_length=100, label="Path contains")
    text = forms.CharField(required=False, max_length=100, label="Message contains or staff number")

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any")] + [(a, a) for a in actions]


class NotificationForm(forms.Form):
    kind = forms.ChoiceField(choices=BoiNotification.Kind.choices, label="Type")
    recipients = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only users with District Employment and/or District Assignments tool rights.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = eligible_recipients()
        self.fields["recipients"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = BoiPreferences
        fields = list(PREFERENCE_FIELDS)


class CombineForm(forms.Form):
    base_person = forms.IntegerField(
        min_value=1, label="Base person (personID of the new staff member)"
    )
    other_person = forms.IntegerField(
        min_value=1, label="Person to combine into it (the student or parent)"
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NameForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    middle_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100)


class ContactForm(forms.Form):
    work_phone = forms.CharField(max_length=25, required=False)
    cell_phone = forms.CharField(max_length=25, required=False)
    other_phone = forms.CharField(max_length=25, required=False)
    work_email = forms.EmailField(max_length=254, required=False)
    personal_email = forms.EmailField(max_length=254, required=False)


class EmploymentForm(forms.Form):
    hire_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    termination_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EndDateForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
