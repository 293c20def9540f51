from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "idbridge.jobs"
    label = "jobs"
    verbose_name = "Long jobs"
    default_auto_field = "django.db.models.BigAutoField"
