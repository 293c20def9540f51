"""The embedded default (SQLite, filesystem broker), as ``make demo`` runs it, plus the
write-lock timing of ``tests.sqlite_load.watch`` in every process."""

from idbridge.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sqlite_load"]  # noqa: F405
