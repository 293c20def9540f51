from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff onboarding"

    def ready(self):
        from staff import jobs

        jobs.register()
        jobs.register_waves()
