from django.urls import path

from idbridge.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/progress/", views.job_progress, name="progress"),
    path("<int:job_id>/retry/", views.job_retry_view, name="retry"),
    path("<int:job_id>/cancel/", views.job_cancel_view, name="cancel"),
    path("<int:job_id>/pause/", views.job_pause_view, name="pause"),
    path("<int:job_id>/resume/", views.job_continue_view, name="resume"),
]
