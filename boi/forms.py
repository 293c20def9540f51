"""Parsing and validation only."""

from django import forms

from boi.hrfile.template import is_template_name, template_columns
from boi.models import BoiConnection, HrImport, MappingValue


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
    kind = forms.ChoiceField(choices=MappingValue.Kind.choices)
    hr_value = forms.CharField(max_length=100, label="HR value")
    campus_value = forms.CharField(max_length=100, required=False, label="Campus value")
    title_code = forms.CharField(max_length=100, required=False)
    title_description = forms.CharField(max_length=200, required=False)


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


class PositionForm(forms.Form):
    staff_number = forms.CharField(max_length=50)
    schoolNumber = forms.CharField(max_length=20, label="School number")  # noqa: N815
    assignmentCode = forms.CharField(max_length=20, required=False, label="Assignment code")  # noqa: N815
    titleCode = forms.CharField(max_length=50, required=False, label="Title code")  # noqa: N815
    titleDescription = forms.CharField(  # noqa: N815
        max_length=200, required=False, label="Title description"
    )
    startDate = forms.DateField(  # noqa: N815
        required=False, label="Start date", widget=forms.DateInput(attrs={"type": "date"})
    )
    endDate = forms.DateField(  # noqa: N815
        required=False, label="End date", widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(choices=[("add", "Add a position"), ("update", "Update a position")])

    def position(self) -> dict:
        data = self.cleaned_data
        names = ("schoolNumber", "assignmentCode", "titleCode", "titleDescription")
        out = {n: data[n].strip() for n in names if data.get(n)}
        for name in ("startDate", "endDate"):
            if data.get(name):
                out[name] = data[name].isoformat()
        return out


def _pick_list(items: list[dict], label: str) -> list[tuple[str, str]]:
    """Campus's fetched list as choices, each code with its description beside it."""
    return [("", f"— leave unmapped (no {label}) —")] + [
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
