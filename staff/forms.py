from django import forms

from idbridge.core.forms import PlainSelect, PlainTextInput
from staff.campus_names import role_label

MAX_CONCURRENCY = 16  # Campus requests in flight for one connection


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
    desk_code = forms.CharField(
        label="Code on the person's setup page", required=False, max_length=20
    )
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label="Search name, staff number or email",
        required=False,
        max_length=100,
        widget=PlainTextInput,
    )
    state = forms.ChoiceField(label="State", required=False, widget=PlainSelect)
    attention = forms.ChoiceField(label="Needs attention", required=False, widget=PlainSelect)

    def __init__(self, *args, states=(), attention=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any")] + [(s, s.title()) for s in states]
        self.fields["attention"].choices = [("", "Any")] + list(attention)


class WaveForm(forms.Form):
    """An invitation wave: whom (everyone, one school, or one Campus role) and how fast."""

    SCOPES = [("all", "All existing staff"), ("school", "One school"), ("role", "One Campus role")]
    PACES = [
        ("50", "50 an hour"),
        ("200", "200 an hour"),
        ("500", "500 an hour"),
        ("1000", "1,000 an hour"),
        ("none", "No limit (as fast as mail goes)"),
        ("custom", "Another pace"),
    ]
    scope = forms.ChoiceField(label="Invite", choices=SCOPES, widget=forms.RadioSelect)
    school = forms.ChoiceField(label="School", required=False)
    role = forms.ChoiceField(label="Campus role", required=False)
    pace = forms.ChoiceField(label="Pace", choices=PACES, initial="200")
    custom_pace = forms.IntegerField(
        label="Invitations an hour (another pace)", required=False, min_value=1, max_value=100_000
    )

    def __init__(self, *args, schools=(), roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "—")] + [
            (key, f"{name} ({n})") for key, name, n in schools
        ]
        self.fields["role"].choices = [("", "—")] + [
            (r, f"{role_label(r)} ({n})") for r, n in roles
        ]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope in ("school", "role") and not data.get(scope):
            self.add_error(scope, "Choose one.")
        if data.get("pace") == "custom" and not data.get("custom_pace"):
            self.add_error("custom_pace", "Say how many invitations an hour.")
        return data

    @property
    def pace_per_hour(self) -> int | None:
        """The chosen pace (None: no limit); only once the form is valid."""
        pace = self.cleaned_data["pace"]
        if pace == "custom":
            return self.cleaned_data["custom_pace"]
        return None if pace == "none" else int(pace)


class ConnectionForm(forms.ModelForm):
    """Secrets are write-only: blank keeps the stored value, and it is never shown again."""

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored secret.",
    )
    soap_password = forms.CharField(
        label="SOAP password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored password.",
    )

    token_url = forms.URLField(
        label="Token URL",
        required=False,
        assume_scheme="https",
        help_text="OAuth2 token URL, with ?appName=…",
    )
    rostering_base_url = forms.URLField(
        label="Rostering base URL",
        required=False,
        assume_scheme="https",
        help_text="OneRoster 1.2 rostering base URL, ending in /rostering/v1p2/",
    )
    wsdl_url = forms.URLField(label="WSDL URL", required=False, assume_scheme="https")

    class Meta:
        from staff.models import CampusConnection

        model = CampusConnection
        fields = [
            "name",
            "kind",
            "enabled",
            "poll_interval_seconds",
            "token_url",
            "rostering_base_url",
            "client_id",
            "client_secret",
            "staff_number_field",
            "person_id_field",
            "page_size",
            "max_concurrency",
            "overlap_seconds",
            "full_reconcile_hours",
            "shrink_hold_percent",
            "wsdl_url",
            "soap_username",
            "soap_password",
            "miss_run_limit",
        ]

    SECRET_FIELDS = ("client_secret", "soap_password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SECRET_FIELDS:
            self.initial[name] = ""

    def clean_max_concurrency(self):
        value = self.cleaned_data["max_concurrency"]
        if not 1 <= value <= MAX_CONCURRENCY:
            raise forms.ValidationError(
                f"Between 1 and {MAX_CONCURRENCY} requests in flight (Campus rate-limits more)."
            )
        return value

    def clean_staff_number_field(self):
        value = self.cleaned_data["staff_number_field"].strip()
        if value != "identifier" and not (value.startswith("userIds:") and len(value) > 8):
            raise forms.ValidationError('Use "identifier" or "userIds:<type>".')
        return value

    def clean_person_id_field(self):
        value = self.cleaned_data["person_id_field"].strip()
        kind, colon, name = value.partition(":")
        plain = not colon and value.isascii() and value.isalpha()
        if not (plain or (kind in ("userIds", "metadata") and name)):
            raise forms.ValidationError(
                'Use "userIds:<type>", "metadata:<key>" or a user field such as "sourcedId".'
            )
        return value

    def clean_poll_interval_seconds(self):
        value = self.cleaned_data["poll_interval_seconds"]
        if value < 30:
            raise forms.ValidationError("Poll at most every 30 seconds.")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = (
            ["token_url", "rostering_base_url", "client_id"]
            if kind == "rest"
            else ["wsdl_url", "soap_username"]
        )
        for name in needed:
            if not data.get(name):
                self.add_error(name, "Required for this kind of connection.")
        secret = "client_secret" if kind == "rest" else "soap_password"
        if not data.get(secret) and not (self.instance.pk and getattr(self.instance, secret)):
            self.add_error(secret, "Required for this kind of connection.")
        return data

    def save(self, commit=True):
        connection = super().save(commit=False)
        for name in self.SECRET_FIELDS:
            value = self.cleaned_data.get(name)
            if value:
                setattr(connection, name, value)
            elif connection.pk:
                setattr(
                    connection, name, type(connection).objects.get(pk=connection.pk).__dict__[name]
                )
        if commit:
            connection.save()
        return connection


class ProofingCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("The code is 6 digits.")
        return code
