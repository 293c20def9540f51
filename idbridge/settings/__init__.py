"""idbridge settings, driven by environment variables (django-environ).

With nothing set you get the embedded default: SQLite in ``var/``, mail in the local
outbox, Celery on kombu's filesystem broker, keys generated on first run. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_URL``, ``SECRET_KEY``,
``FIELD_ENCRYPTION_KEYS``, ``ALLOWED_HOSTS`` and ``HTTPS=true``. Every variable is listed
in README.md and .env.example.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pysaml2's symmetric-cipher module names cryptography's CFB mode at import, which prints a
# deprecation warning in every process (the demo's console, the worker's log). idbridge
# never uses that module's ciphers (assertions are encrypted with AES-GCM in
# idbridge.saml_crypto), so this one warning is silenced, and nothing else.
warnings.filterwarnings(
    "ignore",
    message="CFB has been moved",
    category=CryptographyDeprecationWarning,
    module=r"saml2\.cryptography\.symmetric",
)

from idbridge.settings.framework import *  # noqa: E402, F403
from idbridge.settings.product import *  # noqa: E402, F403
