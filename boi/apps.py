from django.apps import AppConfig


class BoiConfig(AppConfig):
    name = "boi"
    verbose_name = "Business Office"

    def ready(self):
        from boi import jobs

        jobs.register()
