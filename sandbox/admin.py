"""Django's admin edits no OAuth2 client or token of the simulated Campus: clients are made
and their secrets rotated on the sandbox's own Clients page, audited and behind a fresh
check. The admin (open to the break-glass account) would be a way round both.

django-oauth-toolkit registers its models when its admin module is imported, after this
app's (it comes later in INSTALLED_APPS): it is imported here first, then unregistered.
"""

import oauth2_provider.admin  # noqa: F401 - registers the models unregistered below
from django.contrib import admin
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

for model in (
    get_application_model(),
    get_access_token_model(),
    get_grant_model(),
    get_id_token_model(),
    get_refresh_token_model(),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
