"""The Campus portal's URLs, included by ``campus.urls`` under ``/sandbox/``."""

from django.urls import path

from sandbox.sp import saml_views, views

patterns = [
    path("campus/portal/", views.portal, name="sp_portal"),
    path("campus/payroll/", views.sensitive_page, {"page_key": "payroll"}, name="sp_payroll"),
    path(
        "campus/grade-override/",
        views.sensitive_page,
        {"page_key": "grade_override"},
        name="sp_grade_override",
    ),
    path(
        "campus/enrollment-change/",
        views.sensitive_page,
        {"page_key": "enrollment_change"},
        name="sp_enrollment_change",
    ),
    path("campus/signed-out/", views.signed_out, name="sp_signed_out"),
    # SAML: metadata, AuthnRequest, assertion consumer, logout (SP-initiated SLO)
    path("campus/saml/metadata/", saml_views.metadata, name="sp_metadata"),
    path("campus/saml/login/", saml_views.LoginView.as_view(), name="sp_login"),
    path("campus/saml/acs/", saml_views.AcsView.as_view(), name="sp_acs"),
    path("campus/saml/logout/", saml_views.logout, name="sp_logout"),
    path("campus/saml/slo/", saml_views.single_logout, name="sp_slo"),
]
