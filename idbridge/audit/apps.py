from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "idbridge.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from idbridge.audit import jobs

        jobs.register()
