from django import forms

from campus.models import FaultConfig
from campus.models.api import ROSTER_CORE_SCOPE, ROSTER_DEMOGRAPHICS_SCOPE
from campus.models.boi import BOI_SCOPE


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
        coerce=int, choices=[(s, str(s)) for s in (500, 502, 503, 504)], initial=503
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
        cleaned = super().clean()
        for share in ("error_share", "timeout_share", "rate_limit_share"):
            value = cleaned.get(share)
            if value is not None and not 0 <= value <= 1:
                self.add_error(share, "A share is between 0 and 1.")
        return cleaned
