"""Parsing and validation only."""

from django import forms

from boi.hrfile.template import ADDRESS_FIELD_OF, is_template_name, template_columns
from boi.models import BoiConnection, HrImport, MappingValue
from boi.rules.addresses.forms import STATE_NAMES


class ConnectionForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave blank to keep the current one.",
    )

    class Meta:
        model = BoiConnection
        fields = [
            "name",
            "client_id",
            "client_secret",
            "token_url",
            "base_url",
            "scope",
            "household_allowed",
            "request_timeout_seconds",
            "people_connection",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["client_secret"] = ""
        if self.instance.pk is None:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = "Stored encrypted and never shown again."

    def clean_client_secret(self):
        value = self.cleaned_data.get("client_secret", "")
        if not value and self.instance.pk:
            return self.instance.client_secret  # keep the stored one
        return value

    def has_changed(self):
        return super().has_changed()

    @property
    def changed_data(self):
        changed = [f for f in super().changed_data if f != "client_secret"]
        if self.data.get(self.add_prefix("client_secret")):
            changed.append("client_secret")
        return changed


class MappingForm(forms.Form):
    kind = forms.ChoiceField(choices=MappingValue.Kind.choices, label="Kind")
    hr_value = forms.CharField(max_length=100, label="HR value")
    campus_value = forms.CharField(max_length=100, required=False, label="Campus value")
    title_code = forms.CharField(max_length=100, required=False, label="Title code")
    title_description = forms.CharField(max_length=200, required=False, label="Title description")


def _numbered_beyond(name: str, names: list[str]) -> bool:
    return name not in names and is_template_name(name)


def column_map_form(
    headers: list[str], initial: dict[str, str], layout: str = "detect"
) -> type[forms.Form]:
    names = [n for n, _, _ in template_columns()]
    # numbered beyond the template's 3 (location_4 …) when the file has such columns
    names += [h for h in dict.fromkeys((*headers, *initial.values())) if _numbered_beyond(h, names)]
    choices = [("", "— ignore —")] + [(n, n) for n in names]
    fields = {
        f"col_{i}": forms.ChoiceField(
            choices=choices, required=False, label=header, initial=initial.get(header, "")
        )
        for i, header in enumerate(headers)
    }
    fields["layout"] = forms.ChoiceField(
        choices=HrImport.Layout.choices,
        required=False,
        initial=layout,
        label="The file has",
    )
    return type("ColumnMapForm", (forms.Form,), fields)


class RowFilterForm(forms.Form):
    show = forms.ChoiceField(
        choices=[
            ("errors", "Rows with errors"),
            ("all", "All rows"),
            ("good", "Good rows"),
            ("excluded", "Excluded rows"),
        ],
        required=False,
    )
    q = forms.CharField(required=False, label="Staff number or name")


class ReportFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("", "Everyone"),
            ("add", "Staff to be added"),
            ("update", "Staff to be updated"),
            ("unchanged", "Staff with no change"),
            ("conflicts", "Conflicts and errors"),
        ],
        required=False,
    )
    outcome = forms.ChoiceField(
        choices=[
            ("", "Any outcome"),
            ("succeeded", "Succeeded"),
            ("failed", "Failed"),
            ("refused", "Refused at transfer"),
        ],
        required=False,
    )
    q = forms.CharField(required=False, label="Staff number or name")


class ErrorLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "Any"), ("GET", "GET"), ("POST", "POST"), ("PUT", "PUT")], required=False
    )
    q = forms.CharField(required=False, label="Staff number, or path or message contains")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    run = forms.IntegerField(required=False, min_value=1, label="Sync")


class StaffSearchForm(forms.Form):
    staff_number = forms.CharField(max_length=50, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    first_name = forms.CharField(max_length=100, required=False)
    birth_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if not data.get("staff_number") and not (data.get("last_name") and data.get("first_name")):
            raise forms.ValidationError("Give a staff number, or a last and first name.")
        return data


DATE = forms.DateInput(attrs={"type": "date"})


class PositionForm(forms.Form):
    staff_number = forms.CharField(max_length=50, label="Staff number")
    school_number = forms.CharField(max_length=20, label="School number")
    assignment_code = forms.CharField(max_length=20, required=False, label="Assignment code")
    title_code = forms.CharField(max_length=50, required=False, label="Title code")
    title_description = forms.CharField(max_length=200, required=False, label="Title description")
    start_date = forms.DateField(required=False, label="Start date", widget=DATE)
    end_date = forms.DateField(required=False, label="End date", widget=DATE)
    mode = forms.ChoiceField(
        choices=[("add", "Add a position"), ("update", "Update a position")], label="Add or update"
    )

    def position(self) -> dict:
        """The position as the BOI API takes it (``schoolNumber``, ``startDate`` …)."""
        return api_payload(self.cleaned_data, POSITION_KEYS)


def api_payload(data: dict, keys: dict[str, str]) -> dict:
    """A form's cleaned fields (``school_number``, ``start_date`` …) as the BOI API's
    object (``schoolNumber``, ``startDate`` …); blank fields left out, dates ISO."""
    out = {}
    for name, key in keys.items():
        value = data.get(name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if value not in (None, ""):
            out[key] = value.strip() if isinstance(value, str) else value
    return out


POSITION_KEYS = {
    "school_number": "schoolNumber",
    "assignment_code": "assignmentCode",
    "title_code": "titleCode",
    "title_description": "titleDescription",
    "start_date": "startDate",
    "end_date": "endDate",
}
PERSON_KEYS = {
    "staff_number": "staffNumber",
    "last_name": "lastName",
    "first_name": "firstName",
    "middle_name": "middleName",
    "gender": "gender",
    "ssn": "ssn",
    "birth_date": "birthDate",
    "work_email": "workEmail",
    "personal_email": "personalEmail",
    "work_phone": "workPhone",
    "cell_phone": "cellPhone",
}


# The home address a staff member is created with: the HR file's address columns (the same
# names), each the BOI address field ``ADDRESS_FIELD_OF`` gives.
ADDRESS_FORM_FIELDS = {
    "address_full": (
        "Street address (one line)",
        "4321 South Lexington Ave SE Apt 45 — or the parts below, not both.",
    ),
    "address_po_box": ("PO box", "Then only its number, in House number."),
    "address_number": ("House number (or PO box number)", ""),
    "address_prefix": ("Direction before the street", "N, South …"),
    "address_street": ("Street name", ""),
    "address_tag": ("Street suffix", "Ave, St …"),
    "address_direction": ("Direction after the street", "NE, SW …"),
    "address_apt": ("Apartment / unit", ""),
    "address_city": ("City", ""),
    "address_state": ("State", ""),
    "address_zip": ("ZIP", "5 digits, or ZIP+4"),
    "address_county": ("County", ""),
}
STATE_CHOICES = [("", "— choose a state —")] + [
    (code, f"{code} — {name.title()}") for code, name in sorted(STATE_NAMES.items())
]


def _address_field(name: str) -> forms.Field:
    label, help_text = ADDRESS_FORM_FIELDS[name]
    if name == "address_po_box":
        return forms.BooleanField(required=False, label=label, help_text=help_text)
    if name == "address_state":
        return forms.ChoiceField(required=False, label=label, choices=STATE_CHOICES)
    return forms.CharField(max_length=200, required=False, label=label, help_text=help_text)


class StaffCreateForm(forms.Form):
    """A new staff member typed on the Day-to-day page: the person, a hire date, a first
    position (Campus counts someone as staff once they have one) and, optionally, a home
    address (one street line or its parts, as the HR file's address columns). Campus's rules
    (``boi.rules.staff.validate_staff``, the address rules for the address) check it in the
    service."""

    staff_number = forms.CharField(max_length=50, label="Staff number")
    last_name = forms.CharField(max_length=100, label="Last name")
    first_name = forms.CharField(max_length=100, label="First name")
    middle_name = forms.CharField(max_length=100, required=False, label="Middle name")
    gender = forms.ChoiceField(label="Gender")
    birth_date = forms.DateField(required=False, label="Birth date", widget=DATE)
    ssn = forms.CharField(
        max_length=11,
        required=False,
        label="SSN",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="NNN-NN-NNNN. Never shown again: type it again if the form comes back.",
    )
    work_email = forms.EmailField(required=False, label="Work e-mail")
    personal_email = forms.EmailField(required=False, label="Personal e-mail")
    work_phone = forms.CharField(max_length=30, required=False, label="Work phone")
    cell_phone = forms.CharField(max_length=30, required=False, label="Cell phone")
    hire_date = forms.DateField(label="Hire date", widget=DATE)
    school_number = forms.ChoiceField(required=False, label="School")
    assignment_code = forms.ChoiceField(required=False, label="Assignment code")
    title_code = forms.CharField(max_length=50, required=False, label="Title code")
    start_date = forms.DateField(required=False, label="Position start date", widget=DATE)

    def __init__(self, *args, campus_lists: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ADDRESS_FORM_FIELDS:
            self.fields[name] = _address_field(name)
        for name, (list_name, label) in {
            "gender": ("genders", "gender"),
            "school_number": ("schools", "school"),
            "assignment_code": ("assignmentCodes", "assignment code"),
        }.items():
            choices = _pick_list(campus_lists.get(list_name) or [], label, f"— choose a {label} —")
            self.fields[name].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("school_number") and not data.get("start_date") and data.get("hire_date"):
            data["start_date"] = data["hire_date"]  # the first position starts with the job
        return data

    def staff(self) -> dict:
        """The staff object for Campus's create call."""
        data = self.cleaned_data
        staff = api_payload(data, PERSON_KEYS)
        staff["employments"] = [{"hireDate": data["hire_date"].isoformat()}]
        position = api_payload(data, POSITION_KEYS)
        staff["positions"] = [position] if position.get("schoolNumber") else []
        address = self.address()
        if address:
            staff["household"] = {"householdLocations": [{"address": address}]}
        return staff

    def address(self) -> dict:
        """The home address typed, as the BOI API takes it ({} when none was)."""
        data = self.cleaned_data
        address = {
            ADDRESS_FIELD_OF[name]: data[name].strip()
            for name in ADDRESS_FORM_FIELDS
            if name != "address_po_box" and data.get(name, "").strip()
        }
        if data.get("address_po_box"):
            address["postOfficeBox"] = True
        return address

    def bound_address_fields(self):
        return [self[name] for name in ADDRESS_FORM_FIELDS]

    def bound_person_fields(self):
        return [self[name] for name in self.fields if name not in ADDRESS_FORM_FIELDS]


def _pick_list(items: list[dict], label: str, blank: str = "") -> list[tuple[str, str]]:
    """Campus's fetched list as choices, each code with its description beside it."""
    return [("", blank or f"— leave unmapped (no {label}) —")] + [
        (str(i.get("code")), f"{i.get('code')} — {i.get('name', '')}") for i in items
    ]


def code_mapping_form(rows: list[dict], campus_lists: dict) -> type[forms.Form]:
    """One form for every unmapped HR code of a file: a pick-list of the Campus list per
    code (job codes also a title code), pre-chosen with the suggestion when it is close."""
    fields = {}
    for i, row in enumerate(rows):
        list_name = MappingValue.CAMPUS_LIST[row["kind"]][0]
        fields[f"c{i}"] = forms.ChoiceField(
            choices=_pick_list(campus_lists.get(list_name) or [], row["campus_label"]),
            required=False,
            initial=row["chosen"],
            label=f"Campus {row['campus_label']} for {row['hr_value']}",
        )
        if row["kind"] == MappingValue.Kind.JOB:
            fields[f"t{i}"] = forms.ChoiceField(
                choices=_pick_list(campus_lists.get("titleCodes") or [], "title code"),
                required=False,
                label=f"Campus title code for {row['hr_value']}",
            )

    def choices(self) -> list[dict]:
        """The codes given a Campus value, as mapping choices."""
        out = []
        for i, row in enumerate(rows):
            value = self.cleaned_data.get(f"c{i}", "")
            title = self.cleaned_data.get(f"t{i}", "")
            if value or title:
                out.append(
                    {
                        "kind": row["kind"],
                        "hr_value": row["hr_value"],
                        "campus_value": value,
                        "title_code": title,
                    }
                )
        return out

    return type("CodeMappingForm", (forms.Form,), {**fields, "choices": choices})
