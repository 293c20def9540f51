from django.urls import include, path

from stepup import dashboard_access, views
from stepup.ceremonies import urls as ceremonies

app_name = "stepup"
# Mounted at the site root: the dashboard lives under /stepup/, the ceremonies keep the
# paths people's links have (/stepup/authenticate/, /staff/onboarding/passkey/, /staff/me/).
dashboard = [
    path("", views.index, name="index"),
    path("keys/rollover/", views.key_rollover, name="key_rollover"),
    path("keys/promote/", views.key_promote, name="key_promote"),
    path("sps/", views.sp_list, name="sp_list"),
    path("sps/add/", views.sp_add, name="sp_add"),
    path("sps/<int:pk>/", views.sp_detail, name="sp_detail"),
    path("sps/<int:pk>/metadata/", views.sp_replace_metadata, name="sp_replace_metadata"),
    path("sps/<int:pk>/delete/", views.sp_delete, name="sp_delete"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/add/", views.policy_add, name="policy_add"),
    path("policies/acts/", views.act_policy_edit, name="act_policy_edit"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("activity/", views.activity, name="activity"),
]
urlpatterns = [
    path("stepup/", include(dashboard)),
    *ceremonies.urlpatterns,
    # Dashboard roles of verified staff (ADR 0014); a change asks for a fresh passkey check.
    path("staff/dashboard-access/", dashboard_access.dashboard_access, name="dashboard_access"),
    path(
        "staff/dashboard-access/<int:member_id>/",
        dashboard_access.dashboard_roles,
        name="dashboard_roles",
    ),
]
