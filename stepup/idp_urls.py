from django.urls import path

from stepup import idp_views

app_name = "idp"
urlpatterns = [
    path("metadata", idp_views.metadata, name="metadata"),
    path("sso/redirect", idp_views.sso_redirect, name="sso_redirect"),
    path("sso/post", idp_views.sso_post, name="sso_post"),
    path("sso/resume", idp_views.sso_resume, name="sso_resume"),
    path("sso/continue/<str:key>", idp_views.sso_continue, name="sso_continue"),
    path("slo/redirect", idp_views.slo_redirect, name="slo_redirect"),
    path("slo/post", idp_views.slo_post, name="slo_post"),
]
