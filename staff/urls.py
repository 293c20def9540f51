from django.urls import path

from staff.views import applicant, cases, connections, funnel, proofing_code, waves

app_name = "staff"
urlpatterns = [
    path("", cases.index, name="index"),
    path("funnel.json", funnel.funnel_json, name="funnel_json"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("waves/", waves.wave_list, name="waves"),
    path("waves/new/", waves.wave_new, name="wave_new"),
    path("waves/<int:wave_id>/", waves.wave_detail, name="wave"),
    path("cases/<int:case_id>/<slug:action>/", cases.case_action, name="case_action"),
    path("connections/new/", connections.connection_edit, name="connection_new"),
    path("connections/<int:connection_id>/", connections.connection_detail, name="connection"),
    path(
        "connections/<int:connection_id>/edit/",
        connections.connection_edit,
        name="connection_edit",
    ),
    path(
        "connections/<int:connection_id>/test/",
        connections.connection_test,
        name="connection_test",
    ),
    path(
        "connections/<int:connection_id>/poll/",
        connections.connection_poll,
        name="connection_poll",
    ),
    path(
        "connections/<int:connection_id>/progress/",
        connections.connection_progress,
        name="connection_progress",
    ),
    # The invited person's way, without a dashboard account. Their passkey enrollment
    # (onboarding/passkey/) and their own passkeys (me/) are stepup.ceremonies' pages.
    path("welcome/<str:token>/", applicant.welcome, name="welcome"),
    path("onboarding/check/", applicant.record_check, name="record_check"),
    path("onboarding/code/", proofing_code.proofing_code, name="proofing_code"),
    path("onboarding/done/", applicant.done, name="done"),
]
