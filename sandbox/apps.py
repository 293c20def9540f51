from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """The Campus sandbox. Its label stays ``campus`` so its tables and migrations keep
    their names (``campus_person``, ...)."""

    name = "sandbox"
    label = "campus"
    verbose_name = "Campus sandbox"
