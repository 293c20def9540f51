"""Django's admin edits no account or role: dashboard roles are granted on *Dashboard
access*, behind a fresh check (``idbridge.core.gates``). The admin would be a way round it."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

for model in (get_user_model(), Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
