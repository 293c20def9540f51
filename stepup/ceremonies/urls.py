"""The ceremonies' routes (in the ``stepup`` namespace, from the site root): the paths
stay where people's links and bookmarks have them."""

from django.urls import path

from stepup.ceremonies.views import dashboard, enrollment, failure, own, signin

urlpatterns = [
    # The dashboard's sign-in (ADR 0014): the same usernameless passkey ceremony.
    path("accounts/login/", dashboard.sign_in, name="dashboard_sign_in"),
    path("accounts/login/options/", dashboard.sign_in_options, name="dashboard_sign_in_options"),
    path("accounts/login/verify/", dashboard.sign_in_verify, name="dashboard_sign_in_verify"),
    # Sign-in to the IdP and the step-up check.
    path("stepup/authenticate/", signin.authenticate, name="authenticate"),
    path("stepup/authenticate/options/", signin.options, name="passkey_options"),
    path("stepup/authenticate/verify/", signin.verify, name="passkey_verify"),
    path("stepup/authenticate/cancel/", signin.cancel, name="passkey_cancel"),
    path("stepup/authenticate/failed/", failure.failed, name="passkey_failed"),
    # The invited applicant's first passkey (their way, without a dashboard account).
    path("staff/onboarding/passkey/", enrollment.enroll, name="enroll"),
    path("staff/onboarding/passkey/options/", enrollment.enroll_options, name="enroll_options"),
    path("staff/onboarding/passkey/verify/", enrollment.enroll_verify, name="enroll_verify"),
    # A verified staff member's own passkeys (signed in to the IdP with one of them).
    path("staff/me/passkeys/", own.own_passkeys, name="own_passkeys"),
    path("staff/me/passkeys/confirm/", own.own_passkeys_confirm, name="own_passkeys_confirm"),
    path("staff/me/passkeys/options/", own.own_passkey_options, name="own_passkey_options"),
    path("staff/me/passkeys/verify/", own.own_passkey_verify, name="own_passkey_verify"),
    path(
        "staff/me/passkeys/<int:passkey_id>/rename/",
        own.own_passkey_rename,
        name="own_passkey_rename",
    ),
    path(
        "staff/me/passkeys/<int:passkey_id>/disable/",
        own.own_passkey_disable,
        name="own_passkey_disable",
    ),
    path("staff/me/sign-out/", own.own_sign_out, name="own_sign_out"),
]
