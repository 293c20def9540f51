"""Parsing and validation of the step-up dashboard's forms."""

import re

from django import forms
from django.conf import settings

from idbridge.core.edits import SeenField
from stepup.models import ServiceProvider, StepUpPolicy
from stepup.saml.metadata import (
    MAX_METADATA_BYTES,
    MetadataError,
    SpMetadata,
    check_loads_in_pysaml2,
    fetch_metadata,
    parse_sp_metadata,
)


class _SpOptions(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="Shown on the dashboard.")
    require_signed_requests = forms.BooleanField(required=False)
    encrypt_assertions = forms.BooleanField(required=False)
    name_id_format = forms.ChoiceField(
        choices=ServiceProvider.NAMEID_CHOICES, initial=ServiceProvider.NAMEID_CHOICES[0][0]
    )
    released_attributes = forms.MultipleChoiceField(
        choices=ServiceProvider.ATTRIBUTE_CHOICES,
        initial=ServiceProvider.DEFAULT_ATTRIBUTES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(required=False, initial=True)


def load_metadata(*, url: str = "", upload=None, pasted: str = "") -> tuple[SpMetadata, str]:
    """Metadata from exactly one source, parsed and checked; (metadata, url or "")."""
    sources = [bool(url), upload is not None, bool(pasted.strip())]
    if sum(sources) != 1:
        raise forms.ValidationError("Give the metadata one way: a URL, a file or pasted XML.")
    if url:
        data = fetch_metadata(url, timeout=settings.STEPUP_METADATA_FETCH_TIMEOUT_SECONDS)
    elif upload is not None:
        if upload.size > MAX_METADATA_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB.")
        data = upload.read()
    else:
        data = pasted.encode()
    metadata = parse_sp_metadata(data)
    check_loads_in_pysaml2(metadata.xml)
    return metadata, url


class ServiceProviderAddForm(_SpOptions):
    metadata_url = forms.URLField(required=False, max_length=1024, assume_scheme="https")
    metadata_file = forms.FileField(required=False)
    metadata_xml = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Or paste the XML"
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["metadata"], cleaned["url"] = load_metadata(
                url=cleaned.get("metadata_url") or "",
                upload=cleaned.get("metadata_file"),
                pasted=cleaned.get("metadata_xml") or "",
            )
        except MetadataError as exc:
            raise forms.ValidationError(str(exc))
        if ServiceProvider.objects.filter(entity_id=cleaned["metadata"].entity_id).exists():
            raise forms.ValidationError(f"{cleaned['metadata'].entity_id} is already registered.")
        return cleaned

    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in _SpOptions.base_fields}


class ServiceProviderForm(_SpOptions):
    """The district's options for a registered SP."""

    seen = SeenField()

    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in _SpOptions.base_fields}


class MetadataReplaceForm(forms.Form):
    metadata_url = forms.URLField(required=False, max_length=1024, assume_scheme="https")
    metadata_file = forms.FileField(required=False)
    metadata_xml = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["metadata"], cleaned["url"] = load_metadata(
                url=cleaned.get("metadata_url") or "",
                upload=cleaned.get("metadata_file"),
                pasted=cleaned.get("metadata_xml") or "",
            )
        except MetadataError as exc:
            raise forms.ValidationError(str(exc))
        return cleaned


class StepUpPolicyForm(forms.ModelForm):
    seen = SeenField()
    required_roles = forms.CharField(
        required=False,
        help_text="Campus roles allowed, comma-separated; empty = any staff member.",
    )

    class Meta:
        model = StepUpPolicy
        fields = [
            "action",
            "label",
            "service_provider",
            "class_ref",
            "relay_state_pattern",
            "max_age_seconds",
            "required_roles",
            "enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["required_roles"] = ", ".join(self.instance.required_roles or [])
            self.initial["seen"] = self.instance.updated_at
        self.fields["service_provider"].empty_label = "Every service provider"

    def clean_required_roles(self):
        raw = self.cleaned_data.get("required_roles") or ""
        return sorted({r.strip() for r in raw.split(",") if r.strip()})

    def clean_relay_state_pattern(self):
        pattern = self.cleaned_data.get("relay_state_pattern") or ""
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise forms.ValidationError(f"Not a valid regular expression: {exc}.")
        return pattern

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("class_ref") and not cleaned.get("relay_state_pattern"):
            raise forms.ValidationError(
                "Give a class reference or a RelayState pattern: one of them selects the "
                "requests this policy applies to."
            )
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
