"""Business Office Preferences: which areas of a person HR controls."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from idbridge.core.access import permission_required
from sandbox.boi.forms import PreferencesForm
from sandbox.boi.preferences import preferences_get, preferences_set
from sandbox.boi.views.common import VIEW, page_context, require_manage


@permission_required(VIEW)
def preferences(request):
    prefs = preferences_get()
    if request.method == "POST":
        require_manage(request)
        form = PreferencesForm(request.POST, instance=prefs)
        if form.is_valid():
            preferences_set(actor=request.user, **form.cleaned_data)
            messages.success(request, "Business Office Preferences saved.")
            return redirect("campus:boi_preferences")
    else:
        form = PreferencesForm(instance=prefs)
    return render(request, "sandbox/boi/preferences.html", page_context(request, "boi", form=form))
