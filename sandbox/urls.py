from django.urls import path

from sandbox import control, oauth_views, views
from sandbox.boi import urls as boi_urls
from sandbox.oneroster import views as oneroster
from sandbox.soap import views as soap
from sandbox.sp import urls as sp_urls

ONEROSTER = "campus/api/oneroster/v1p2/<slug:app>/ims/oneroster/rostering/v1p2"

app_name = "campus"
urlpatterns = [
    # Dashboard (core.view_sandbox; changes need core.manage_sandbox)
    path("", views.index, name="index"),
    path("staff/", views.staff, name="staff"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/secret/", views.client_secret_rotate, name="client_secret_rotate"),
    path(
        "clients/<int:pk>/soap-password/",
        views.client_soap_password_rotate,
        name="client_soap_password_rotate",
    ),
    path("faults/", views.faults_page, name="faults"),
    # Campus's Business Office Integration tools (sandbox/boi/views/)
    *boi_urls.ui_patterns,
    # The Campus portal: a SAML service provider of idbridge's IdP (sandbox/sp/)
    *sp_urls.patterns,
    # Machine APIs, as a Campus serves them (no dashboard login, no CSRF)
    path("campus/services/IdentityService", soap.identity_service, name="soap_identity"),
    path("campus/oauth2/token", oauth_views.token, name="oauth_token"),
    path(
        "campus/api/oneroster/openapi.json",
        oneroster.openapi_description,
        name="oneroster_openapi",
    ),
    path(f"{ONEROSTER}/users", oneroster.users, name="oneroster_users"),
    path(f"{ONEROSTER}/users/<str:sourced_id>", oneroster.user, name="oneroster_user"),
    path(f"{ONEROSTER}/orgs", oneroster.orgs, name="oneroster_orgs"),
    path(f"{ONEROSTER}/orgs/<str:sourced_id>", oneroster.org, name="oneroster_org"),
    path(f"{ONEROSTER}/schools", oneroster.schools, name="oneroster_schools"),
    path(f"{ONEROSTER}/schools/<str:sourced_id>", oneroster.school, name="oneroster_school"),
    path(
        f"{ONEROSTER}/demographics",
        oneroster.demographics_list,
        name="oneroster_demographics_list",
    ),
    path(
        f"{ONEROSTER}/demographics/<str:sourced_id>",
        oneroster.demographics,
        name="oneroster_demographics",
    ),
    # The Business Office Integration API (sandbox/boi/api.py)
    *boi_urls.api_patterns,
    # Test and benchmark control (see sandbox/control.py)
    path("campus/_counters", control.counters, name="control_counters"),
    path("campus/_counters/reset", control.counters_reset, name="control_counters_reset"),
    path("campus/_faults", control.faults_control, name="control_faults"),
]
