from django.urls import path

from boi.views import codes, connections, console, daytoday, imports, profiles, runs

app_name = "boi"
urlpatterns = [
    path("", console.index, name="index"),
    path("template/", console.template_doc, name="template"),
    path("template.csv", console.template_csv, name="template_csv"),
    path("alerts/<int:alert_id>/dismiss/", console.alert_dismiss_view, name="alert_dismiss"),
    # Connection and mapping tables
    path("connections/new/", connections.connection_edit, name="connection_new"),
    path("connections/<int:connection_id>/", connections.connection_detail, name="connection"),
    path(
        "connections/<int:connection_id>/edit/", connections.connection_edit, name="connection_edit"
    ),
    path(
        "connections/<int:connection_id>/test/", connections.connection_test, name="connection_test"
    ),
    path("connections/<int:connection_id>/lists/", connections.lists_fetch, name="lists_fetch"),
    path("connections/<int:connection_id>/mappings/", connections.mapping_add, name="mapping_add"),
    path(
        "connections/<int:connection_id>/mappings.csv",
        connections.mappings_export,
        name="mappings_export",
    ),
    path(
        "connections/<int:connection_id>/mappings/import/",
        connections.mappings_import,
        name="mappings_import",
    ),
    path(
        "connections/<int:connection_id>/mappings/<int:mapping_id>/delete/",
        connections.mapping_delete,
        name="mapping_delete",
    ),
    # HR imports
    path("connections/<int:connection_id>/import/", imports.import_upload, name="import_upload"),
    path("imports/<int:import_id>/", imports.import_detail, name="import"),
    path("imports/<int:import_id>/columns/", imports.import_columns, name="import_columns"),
    path("imports/<int:import_id>/codes/", codes.import_codes, name="import_codes"),
    path("imports/<int:import_id>/profile/", profiles.profile_save, name="profile_save"),
    path("imports/<int:import_id>/apply/", profiles.profile_apply, name="profile_apply"),
    path("profiles/<int:profile_id>/copy/", profiles.profile_duplicate, name="profile_copy"),
    path("profiles/<int:profile_id>/delete/", profiles.profile_delete, name="profile_delete"),
    path("imports/<int:import_id>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:import_id>/exclude-bad/", imports.import_exclude_bad, name="exclude_bad"),
    path("imports/<int:import_id>/errors.csv", imports.import_errors_csv, name="import_errors_csv"),
    path("imports/<int:import_id>/preflight/", imports.import_preflight, name="preflight"),
    path("imports/<int:import_id>/delete/", imports.import_delete, name="import_delete"),
    path("imports/<int:import_id>/sync/", imports.import_sync, name="import_sync"),
    path("imports/<int:import_id>/rows/<int:row_id>/", imports.row_detail, name="row"),
    path(
        "imports/<int:import_id>/rows/<int:row_id>/exclude/",
        imports.row_exclude,
        name="row_exclude",
    ),
    # Sync wizard
    path("runs/<int:run_id>/", runs.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:run_id>/step/<slug:step>/", runs.run_step, name="run_step"),
    path("runs/<int:run_id>/commit/", runs.run_commit, name="run_commit"),
    path("runs/<int:run_id>/commit/resume/", runs.run_commit_resume, name="run_commit_resume"),
    path("runs/<int:run_id>/report/", runs.run_report, name="run_report"),
    path("runs/<int:run_id>/report.csv", runs.run_report_csv, name="run_report_csv"),
    path("runs/<int:run_id>/results/", runs.run_report, {"results": True}, name="run_results"),
    path("runs/<int:run_id>/staff/<int:staff_id>/", runs.staff_entry, name="staff_entry"),
    # Error log
    path("errors/", runs.error_log, name="errors"),
    path("errors/<int:entry_id>/", runs.error_detail, name="error"),
    path("errors/<int:entry_id>/request.json", runs.error_request_download, name="error_request"),
    path("errors.pdf", runs.error_log_pdf_view, name="errors_pdf"),
    # Day to day
    path("day/", daytoday.day_to_day, name="day"),
    path("day/rows/<int:row_id>/send/", daytoday.staff_send, name="staff_send"),
    path("day/position/", daytoday.position_send, name="position_send"),
    path("day/staff/", daytoday.staff_create, name="staff_create"),
]
