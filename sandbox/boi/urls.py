"""Routes of the BOI API and of Campus's BOI tools (included by sandbox/urls.py)."""

from django.urls import path, re_path

from sandbox.boi import api
from sandbox.boi.views import (
    combine,
    credentials,
    error_log,
    home,
    notifications,
    person_edit,
    preferences,
    synchronization,
)

API = "campus/api/boi/v1"

api_patterns = [
    path(f"{API}/openapi.json", api.openapi_description, name="boi_openapi"),
    path(f"{API}/schools", api.schools, name="boi_schools"),
    path(f"{API}/genders", api.genders, name="boi_genders"),
    path(f"{API}/assignmentCodes", api.assignment_codes, name="boi_assignment_codes"),
    path(f"{API}/titleCodes", api.title_codes, name="boi_title_codes"),
    path(f"{API}/staff", api.staff_collection, name="boi_staff"),
    path(f"{API}/staff/<str:staff_number>", api.staff_member, name="boi_staff_member"),
    path(
        f"{API}/staff/<str:staff_number>/positions",
        api.staff_positions,
        name="boi_staff_positions",
    ),
    path(f"{API}/addresses", api.addresses, name="boi_addresses"),
    path(f"{API}/sync/start", api.sync_start, name="boi_sync_start"),
    path(f"{API}/sync/jobs/latest", api.sync_job_latest, name="boi_sync_job_latest"),
    path(f"{API}/sync/jobs/<int:job_id>", api.sync_job, name="boi_sync_job"),
    path(f"{API}/sync/<int:sync_id>", api.sync_status, name="boi_sync"),
    path(f"{API}/sync/<int:sync_id>/transfer", api.sync_transfer, name="boi_sync_transfer"),
    path(
        f"{API}/sync/<int:sync_id>/endTransfer",
        api.sync_end_transfer,
        name="boi_sync_end_transfer",
    ),
    path(f"{API}/sync/<int:sync_id>/validate", api.sync_validate, name="boi_sync_validate"),
    path(f"{API}/sync/<int:sync_id>/commit", api.sync_commit, name="boi_sync_commit"),
    path(
        f"{API}/sync/<int:sync_id>/submitCommitJob",
        api.sync_submit_commit_job,
        name="boi_sync_submit_commit_job",
    ),
    re_path(rf"^{API}/(?P<rest>.*)$", api.not_found, name="boi_not_found"),
]

ui_patterns = [
    path("boi/", home.index, name="boi_index"),
    path("boi/credentials/", credentials.credentials, name="boi_credentials"),
    path("boi/credentials/new/", credentials.credentials_create, name="boi_credentials_create"),
    path(
        "boi/credentials/<int:pk>/secret/",
        credentials.credentials_rotate,
        name="boi_credentials_rotate",
    ),
    path("boi/api-docs/", credentials.api_docs, name="boi_api_docs"),
    path("boi/check/", synchronization.check_campus_data, name="boi_check"),
    path("boi/sync/", synchronization.sync_tool, name="boi_sync_tool"),
    path("boi/sync/<int:sync_id>/report/", synchronization.sync_report, name="boi_sync_report"),
    path("boi/errors/", error_log.error_log, name="boi_error_log"),
    path("boi/errors/pdf/", error_log.error_log_pdf, name="boi_error_log_pdf"),
    path("boi/errors/<int:pk>/", error_log.error_log_entry, name="boi_error_log_entry"),
    path("boi/notifications/", notifications.notifications_view, name="boi_notifications"),
    path(
        "boi/notifications/<int:pk>/", notifications.notification_edit, name="boi_notification_edit"
    ),
    path("boi/tool-rights/", notifications.tool_rights, name="boi_tool_rights"),
    path("boi/messages/", notifications.message_center, name="boi_messages"),
    path("boi/preferences/", preferences.preferences, name="boi_preferences"),
    path("boi/combine/", combine.combine_person, name="boi_combine"),
    path("people/<int:person_id>/edit/", person_edit.person_edit, name="person_edit"),
]
