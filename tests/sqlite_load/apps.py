from django.apps import AppConfig


class SqliteLoadConfig(AppConfig):
    """Times SQLite's write lock in every process of a district-size run (``watch``)."""

    name = "tests.sqlite_load"
    label = "sqlite_load"

    def ready(self):
        from tests.sqlite_load import watch

        watch.install()
