"""The framework half of idbridge's settings: Django, the database, cache, security, static
files, mail, Celery, long jobs and logging. ``idbridge.settings`` combines it with
``product.py`` (what each app reads). Driven by environment variables (django-environ)."""

from pathlib import Path

import environ

from idbridge import localkeys, vardir

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# Everything under VAR_DIR is private to the user idbridge runs as: folders 0700, files 0600
# (idbridge.vardir; the process umask is 077 from the moment the package is imported).
VAR_DIR = vardir.var_dir_prepare(Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))))

_local = None
if "SECRET_KEY" not in env.ENVIRON or "FIELD_ENCRYPTION_KEYS" not in env.ENVIRON:
    _local = localkeys.load_or_create(VAR_DIR)

SECRET_KEY = env.str("SECRET_KEY", default=_local["SECRET_KEY"] if _local else "")
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotate_field_keys).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=[_local["FIELD_ENCRYPTION_KEYS"]] if _local else [],
)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people and Campus reach idbridge at; used in emails and SAML metadata. Unset,
# the address `make demo` serves this VAR_DIR at (so links printed by manage.py commands
# run beside the demo follow its port), else localhost:8000.
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL", default=vardir.demo_public_url_read(VAR_DIR) or "http://localhost:8000"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "idbridge.core",
    "idbridge.audit",
    "idbridge.jobs",
    "staff",
    "stepup",
    "boi",
    "sandbox",
]

MIDDLEWARE = [
    "idbridge.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "idbridge.core.refusals.RefusalAuditMiddleware",  # outside CSRF: its 403s count too
    "django.middleware.csrf.CsrfViewMiddleware",
    "idbridge.core.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "idbridge.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "idbridge.urls"
WSGI_APPLICATION = "idbridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "idbridge.core.context_processors.navigation",
                "idbridge.core.context_processors.evaluation_mode",
            ],
            # ``|local_time``: every moment on the district's clock, its zone named.
            "builtins": ["idbridge.core.templatetags.district_time"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'idbridge.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions and a
    # busy timeout make concurrent writers wait instead of failing with "locked". Reads
    # through a memory map (up to 256 MiB, shared by every connection through the OS's
    # page cache): a list's search scans an index of several MiB, which SQLite's own
    # cache (2 MiB per connection) would copy in again on every search.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
# Connections are kept between requests (each thread its own): on SQLite too, where a new
# one per request costs its PRAGMAs on every SSO answer.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------
# Shared by every web and worker process: rate limits, replay caches, Campus sessions.
# The default is a database table (created by a migration); Redis in production:
# CACHE_URL=redis://127.0.0.1:6379/1
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://idbridge_cache")}

# --- Auth, sessions, security ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Dashboard sign-in is with a passkey; the break-glass account alone uses a password + TOTP
# (ADR 0014). The one backend refuses password sign-in to everyone else, Django admin's too.
AUTHENTICATION_BACKENDS = ["idbridge.core.breakglass.DashboardBackend"]
LOGIN_URL = "stepup:dashboard_sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "stepup:dashboard_sign_in"

# Idle timeout: a dashboard session ends after this many seconds without a request.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=1800)
# Database sessions, written only when their content changed (idbridge/core/sessions.py).
SESSION_ENGINE = "idbridge.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A form refused for its CSRF token says so in words (Django's own page is for developers).
CSRF_FAILURE_VIEW = "idbridge.core.views.csrf_failure"

HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client for
# rate limits and the audit log (idbridge.ratelimit.client_address); empty = none.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # SAML HTTP-POST binding: the IdP's auto-submitting form posts to the SP's ACS URL.
        "form-action": ["'self'", "http:", "https:"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Internationalization, static -------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
# Collected static files are public (served to anyone without sign-in), but inside VAR_DIR
# they follow its rule (0600 / 0700): WhiteNoise reads them from disk in the web process,
# which runs as the owner. A STATIC_ROOT elsewhere (the image's /app/staticfiles, written
# at build time by root, or a folder a front proxy serves) gets 0644 / 0755 so that other
# users, such as the app user or the proxy, can read them.
_static_public = not STATIC_ROOT.resolve().is_relative_to(VAR_DIR.resolve())
if _static_public:
    vardir.public_dir_prepare(STATIC_ROOT)
else:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {
            "file_permissions_mode": 0o644 if _static_public else 0o600,
            "directory_permissions_mode": 0o755 if _static_public else 0o700,
        },
    },
}
# Files saved through Django's storage (none today) are private as well.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (the demo) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Mail -----------------------------------------------------------------------------
# EMAIL_URL unset (or outbox://): messages land in the local outbox shown on the dashboard.
_email_url = env.str("EMAIL_URL", default="outbox://")
if _email_url.startswith("outbox:"):
    EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"
else:
    vars().update(env.email_url_config(_email_url))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="idbridge <idbridge@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
# The filesystem transport reads no host; naming one keeps kombu from warning of its absence.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem:"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task also sets its own (shorter) limits; this bounds any that forgets.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "idbridge.core.tasks.heartbeat", "schedule": 60.0},
    "staff-polls": {"task": "staff.tasks.poll_due_connections", "schedule": 30.0},
    "staff-invitations": {
        "task": "staff.tasks.remind_and_expire_invitations",
        "schedule": 900.0,
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- Long jobs (idbridge.jobs) ---------------------------------------------------------
# A running job whose heartbeat is older than this has lost its worker: the sweeper, run
# every JOBS_SWEEP_SECONDS, fails it (Retry runs it again) or queues it again if resumable.
JOBS_STALE_SECONDS = env.int("JOBS_STALE_SECONDS", default=120)
JOBS_SWEEP_SECONDS = env.int("JOBS_SWEEP_SECONDS", default=60)
# A job still queued after this long (its message lost) has its task sent again.
JOBS_QUEUED_RESEND_SECONDS = env.int("JOBS_QUEUED_RESEND_SECONDS", default=900)
# A job writes its progress (and heartbeat) at most this often; its rate is measured over
# the last JOBS_RATE_WINDOW_SECONDS or so.
JOBS_PROGRESS_SECONDS = env.float("JOBS_PROGRESS_SECONDS", default=1.0)
JOBS_RATE_WINDOW_SECONDS = env.int("JOBS_RATE_WINDOW_SECONDS", default=20)
# A running job also beats from a thread of its own this often (0: only with progress),
# so one long call (Campus validating a large sync) does not read as a dead worker.
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=max(JOBS_STALE_SECONDS // 4, 1))
CELERY_BEAT_SCHEDULE["jobs-sweep"] = {
    "task": "idbridge.jobs.tasks.sweep_jobs",
    "schedule": float(JOBS_SWEEP_SECONDS),
}

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "idbridge.core.logging.RequestIdFilter"},
        "redact": {"()": "idbridge.core.logging.RedactingFilter"},
    },
    "formatters": {
        "json": {"()": "idbridge.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
    },
}
