"""idbridge settings, driven by environment variables (django-environ).

With nothing set you get the embedded default: SQLite in ``var/``, mail in the local
outbox, Celery on kombu's filesystem broker, keys generated on first run. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_URL``, ``SECRET_KEY``,
``FIELD_ENCRYPTION_KEYS``, ``ALLOWED_HOSTS`` and ``HTTPS=true``. Every variable is listed
in README.md and .env.example.
"""

from idbridge.settings.framework import *  # noqa: F403
from idbridge.settings.product import *  # noqa: F403
