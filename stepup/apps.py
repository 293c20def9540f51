from django.apps import AppConfig


class StepupConfig(AppConfig):
    name = "stepup"
    verbose_name = "Step-up IdP"
