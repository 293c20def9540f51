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
]
