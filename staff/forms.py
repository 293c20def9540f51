from django import forms


class RecordCheckForm(forms.Form):
    birth_date = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="As recorded by your district's HR office.",
    )
    staff_number = forms.CharField(
        label="Staff number", max_length=50, help_text="Your employee (local staff) number."
    )


class SupervisedCheckForm(forms.Form):
    DOCUMENTS = [
        ("drivers_license", "Driver's license"),
        ("state_id", "State ID card"),
        ("passport", "Passport"),
        ("other", "Other government photo ID"),
    ]
    document = forms.ChoiceField(label="Document inspected", choices=DOCUMENTS)
    note = forms.CharField(label="Note", required=False, max_length=300)
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)


class CaseSearchForm(forms.Form):
    q = forms.CharField(label="Search name, staff number or email", required=False, max_length=100)
    state = forms.ChoiceField(label="State", required=False)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any")] + [(s, s.title()) for s in states]
