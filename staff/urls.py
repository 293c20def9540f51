from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/<slug:action>/", views.case_action, name="case_action"),
    path("connections/new/", views.connection_edit, name="connection_new"),
    path("connections/<int:connection_id>/", views.connection_detail, name="connection"),
    path("connections/<int:connection_id>/edit/", views.connection_edit, name="connection_edit"),
    path("connections/<int:connection_id>/test/", views.connection_test, name="connection_test"),
    path("connections/<int:connection_id>/poll/", views.connection_poll, name="connection_poll"),
    path(
        "connections/<int:connection_id>/progress/",
        views.connection_progress,
        name="connection_progress",
    ),
    # The invited person's way, without a dashboard account.
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("onboarding/check/", views.record_check, name="record_check"),
    path("onboarding/passkey/", views.enroll, name="enroll"),
    path("onboarding/passkey/options/", views.enroll_options, name="enroll_options"),
    path("onboarding/passkey/verify/", views.enroll_verify, name="enroll_verify"),
    path("onboarding/done/", views.done, name="done"),
    # A verified staff member's own passkeys (signed in to the IdP with one of them).
    path("me/passkeys/", views.own_passkeys, name="own_passkeys"),
    path("me/passkeys/confirm/", views.own_passkeys_confirm, name="own_passkeys_confirm"),
    path("me/passkeys/options/", views.own_passkey_options, name="own_passkey_options"),
    path("me/passkeys/verify/", views.own_passkey_verify, name="own_passkey_verify"),
    path(
        "me/passkeys/<int:passkey_id>/rename/", views.own_passkey_rename, name="own_passkey_rename"
    ),
    path(
        "me/passkeys/<int:passkey_id>/disable/",
        views.own_passkey_disable,
        name="own_passkey_disable",
    ),
    path("me/sign-out/", views.own_sign_out, name="own_sign_out"),
]
