from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/<slug:action>/", views.case_action, name="case_action"),
    # The invited person's way, without a dashboard account.
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("onboarding/check/", views.record_check, name="record_check"),
    path("onboarding/passkey/", views.enroll, name="enroll"),
    path("onboarding/passkey/options/", views.enroll_options, name="enroll_options"),
    path("onboarding/passkey/verify/", views.enroll_verify, name="enroll_verify"),
    path("onboarding/done/", views.done, name="done"),
]
