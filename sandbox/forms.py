from django import forms

from sandbox import faults
from sandbox.models import FaultConfig
from sandbox.models.api import ROSTER_CORE_SCOPE, ROSTER_DEMOGRAPHICS_SCOPE
from sandbox.models.boi import BOI_SCOPE


class ClientCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. idbridge, HR system")
    app_name = forms.SlugField(
        max_length=100, required=False, help_text="The appName in URLs; defaults to the name."
    )
    demographics = forms.BooleanField(
        required=False, initial=True, label="May read demographics (birth dates)"
    )

    business_office = forms.BooleanField(
        required=False, initial=True, label="May use the Business Office (BOI) API"
    )

    def scopes(self) -> str:
        scopes = [ROSTER_CORE_SCOPE]
        if self.cleaned_data.get("demographics"):
            scopes.append(ROSTER_DEMOGRAPHICS_SCOPE)
        if self.cleaned_data.get("business_office"):
            scopes.append(BOI_SCOPE)
        return " ".join(scopes)


class FaultForm(forms.ModelForm):
    error_status = forms.TypedChoiceField(
        coerce=int, choices=[(s, str(s)) for s in faults.ERROR_STATUSES], initial=503
    )

    class Meta:
        model = FaultConfig
        fields = [
            "endpoints",
            "latency_ms",
            "error_share",
            "error_status",
            "timeout_share",
            "timeout_seconds",
            "rate_limit_share",
            "retry_after_seconds",
            "session_seconds",
        ]

    def clean(self):
        """The switches' own rules (``faults._clean``): one place says what is allowed."""
        cleaned = super().clean()
        if not self.errors:
            changes = {name: cleaned.get(name) for name in self.Meta.fields}
            try:
                faults.faults_check(**changes)
            except faults.FaultSettingError as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned
