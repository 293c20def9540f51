from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "idbridge.core"
    label = "core"
    verbose_name = "idbridge"

    def ready(self):
        from idbridge.core import refusals, roles

        post_migrate.connect(roles.sync_roles, sender=self)
        refusals.connect()
