from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from idbridge.core import views as core_views

urlpatterns = [
    path("", include("idbridge.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    # /accounts/login/ is the passkey sign-in (stepup:dashboard_sign_in; ADR 0014).
    path("accounts/break-glass/", core_views.break_glass, name="break_glass"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", include("idbridge.audit.urls")),
    path("jobs/", include("idbridge.jobs.urls")),
    path("staff/", include("staff.urls")),
    path("", include("stepup.urls")),  # /stepup/ and the passkey ceremonies
    path("idp/", include("stepup.idp_urls")),
    path("boi/", include("boi.urls")),
    path("sandbox/", include("sandbox.urls")),
    path("admin/", admin.site.urls),
]
