"""idbridge settings: one module, driven by environment variables (django-environ).

With nothing set you get the embedded default: SQLite in ``var/``, mail in the local
outbox, Celery on kombu's filesystem broker, keys generated on first run. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_URL``, ``SECRET_KEY``,
``FIELD_ENCRYPTION_KEYS``, ``ALLOWED_HOSTS`` and ``HTTPS=true``. Every variable is listed
in README.md and .env.example.
"""

from pathlib import Path

import environ

from idbridge import localkeys, vardir

BASE_DIR = Path(__file__).resolve().parent.parent

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
# The address people and Campus reach idbridge at; used in emails and SAML metadata.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")

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
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'idbridge.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions and a
    # busy timeout make concurrent writers wait instead of failing with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
else:
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: a dashboard session ends after this many seconds without a request.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=1800)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

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
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
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

# --- Audit log ------------------------------------------------------------------------
# Entries are appended unchained and sealed into the hash chain in batches (see
# idbridge/audit/services.py); every seal appends a signed checkpoint outside the database.
AUDIT_SEAL_INTERVAL_SECONDS = env.float("AUDIT_SEAL_INTERVAL_SECONDS", default=10.0)
AUDIT_SEAL_GRACE_SECONDS = env.float("AUDIT_SEAL_GRACE_SECONDS", default=2.0)
AUDIT_SEAL_EVERY = env.int("AUDIT_SEAL_EVERY", default=100)  # opportunistic seal; 0 = off
AUDIT_SEAL_BATCH = env.int("AUDIT_SEAL_BATCH", default=5000)
AUDIT_CHECKPOINT_FILE = env.str(
    "AUDIT_CHECKPOINT_FILE", default=str(VAR_DIR / "audit-checkpoints.jsonl")
)
AUDIT_CHECKPOINT_MAX_BYTES = env.int("AUDIT_CHECKPOINT_MAX_BYTES", default=1_000_000)
AUDIT_CHECKPOINT_KEEP = env.int("AUDIT_CHECKPOINT_KEEP", default=10)
AUDIT_SIGNING_KEY_FILE = env.str(
    "AUDIT_SIGNING_KEY_FILE", default=str(VAR_DIR / "audit-signing-key.pem")
)
CELERY_BEAT_SCHEDULE["audit-seal"] = {
    "task": "idbridge.audit.tasks.seal_audit_chain",
    "schedule": AUDIT_SEAL_INTERVAL_SECONDS,
}
# A copy of the latest checkpoint mailed to the district admins; 0 = never.
AUDIT_CHECKPOINT_MAIL_HOURS = env.float("AUDIT_CHECKPOINT_MAIL_HOURS", default=24.0)
if AUDIT_CHECKPOINT_MAIL_HOURS > 0:
    CELERY_BEAT_SCHEDULE["audit-checkpoint-mail"] = {
        "task": "idbridge.audit.tasks.mail_audit_checkpoint",
        "schedule": AUDIT_CHECKPOINT_MAIL_HOURS * 3600,
    }

# --- Staff onboarding -----------------------------------------------------------------
STAFF_INVITATION_TTL_HOURS = env.int("STAFF_INVITATION_TTL_HOURS", default=72)
STAFF_INVITATION_REMINDER_HOURS = env.int("STAFF_INVITATION_REMINDER_HOURS", default=24)
STAFF_INVITATION_MAX_SENDS = env.int("STAFF_INVITATION_MAX_SENDS", default=5)
STAFF_RECORD_CHECK_MAX_ATTEMPTS = env.int("STAFF_RECORD_CHECK_MAX_ATTEMPTS", default=5)
# A trusted referee (an HR operator) must record an identity-document inspection.
STAFF_REQUIRE_SUPERVISED_PROOFING = env.bool("STAFF_REQUIRE_SUPERVISED_PROOFING", default=False)
# WebAuthn relying party: the host name of PUBLIC_BASE_URL unless set.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default="idbridge")
# Onboarding rate limits (staff.limits), per minute: each invitation link's redemptions;
# each case's record checks and passkey ceremonies (enrollment, own passkeys); and every
# onboarding request from one client address (a school's NAT, or a whole training room).
STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE = env.int(
    "STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE", default=5
)
STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE = env.int(
    "STAFF_ONBOARDING_ATTEMPTS_PER_CASE_PER_MINUTE", default=20
)
STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE = env.int(
    "STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE", default=1200
)
# Refused invitation links (tampered, expired, used, superseded) audited per minute per
# client address; more are only logged, like refused SAML messages.
STAFF_REFUSALS_AUDITED_PER_MINUTE = env.int("STAFF_REFUSALS_AUDITED_PER_MINUTE", default=30)
# How recent a staff member's passkey check must be to add or remove one of their passkeys
# (the step-up gate of their own passkeys page).
STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS = env.int(
    "STEPUP_PASSKEY_CHANGE_MAX_AGE_SECONDS", default=300
)

# --- Campus sandbox -------------------------------------------------------------------
# The stand-in for a district's Infinite Campus under /sandbox/ (sandbox/). OAuth2 tokens
# for its OneRoster API come from django-oauth-toolkit.
INSTALLED_APPS += ["oauth2_provider"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# SOAP Identity Service: how long a sessionID from Authenticate lives, and the window a
# WS-Security UsernameToken's Created time must fall in (nonces are remembered as long).
CAMPUS_SANDBOX_SESSION_SECONDS = env.int("CAMPUS_SANDBOX_SESSION_SECONDS", default=1800)
CAMPUS_SANDBOX_WSSE_WINDOW_SECONDS = env.int("CAMPUS_SANDBOX_WSSE_WINDOW_SECONDS", default=300)
# Failed SOAP authentications per user name within the window before a RateLimited fault.
CAMPUS_SANDBOX_AUTH_FAILURE_LIMIT = env.int("CAMPUS_SANDBOX_AUTH_FAILURE_LIMIT", default=10)
# OAuth2 access tokens of the OneRoster API: lifetime (expires_in).
CAMPUS_SANDBOX_TOKEN_SECONDS = env.int("CAMPUS_SANDBOX_TOKEN_SECONDS", default=3600)
# Largest OneRoster page (limit=) the sandbox serves; Campus allows up to 50,000.
CAMPUS_SANDBOX_ONEROSTER_MAX_LIMIT = env.int("CAMPUS_SANDBOX_ONEROSTER_MAX_LIMIT", default=50000)
# Bearer token for the machine control endpoints (/sandbox/campus/_faults, _counters) used
# by benchmarks; empty = only signed-in sandbox managers may use them.
CAMPUS_SANDBOX_CONTROL_TOKEN = env.str("CAMPUS_SANDBOX_CONTROL_TOKEN", default="")
OAUTH2_PROVIDER = {
    "SCOPES": {
        "roster-core.readonly": "Read OneRoster users, orgs and schools",
        "roster-demographics.readonly": "Read OneRoster demographics (birth dates)",
    },
    "DEFAULT_SCOPES": ["roster-core.readonly"],
    "SCOPES_BACKEND_CLASS": "sandbox.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "sandbox.oauth.SandboxOAuth2Validator",
    "ACCESS_TOKEN_GENERATOR": "sandbox.oauth.jwt_access_token",
    "ACCESS_TOKEN_EXPIRE_SECONDS": CAMPUS_SANDBOX_TOKEN_SECONDS,
    # RFC 9700 (OAuth 2.0 Security BCP): tokens hashed at rest, no implicit/password
    # grants, no tokens in query strings. The sandbox only issues client-credentials tokens.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "PKCE_REQUIRED": True,
}

# --- Step-up IdP ----------------------------------------------------------------------
# The IdP's SAML entity ID; empty = its metadata URL, <PUBLIC_BASE_URL>/idp/metadata.
STEPUP_IDP_ENTITY_ID = env.str("STEPUP_IDP_ENTITY_ID", default="")
# How far an AuthnRequest's IssueInstant may be from now (seconds), either way.
STEPUP_CLOCK_SKEW_SECONDS = env.int("STEPUP_CLOCK_SKEW_SECONDS", default=120)
# Validity of issued assertions (NotOnOrAfter), minutes.
STEPUP_ASSERTION_LIFETIME_MINUTES = env.int("STEPUP_ASSERTION_LIFETIME_MINUTES", default=5)
# Refused SAML messages audited per minute per client address (more are only logged: a
# flood of garbage must not fill the audit chain or queue every audited write behind it).
STEPUP_REFUSALS_AUDITED_PER_MINUTE = env.int("STEPUP_REFUSALS_AUDITED_PER_MINUTE", default=30)
# Passkey sign-in and step-up rate limits (stepup.ceremonies.limits), per minute: answers
# naming one credential (counted before verification) and its failed answers; and every
# ceremony request (options and verify: two per sign-in) from one client address, high
# enough for a school's whole staff behind one NAT address signing in at 8 a.m.
STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE = env.int(
    "STEPUP_SIGNIN_ATTEMPTS_PER_CREDENTIAL_PER_MINUTE", default=10
)
STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE = env.int(
    "STEPUP_SIGNIN_FAILURES_PER_CREDENTIAL_PER_MINUTE", default=5
)
STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = env.int(
    "STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE", default=1200
)
# How long a validated request waits for the user's passkey check before it expires.
STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS = env.int(
    "STEPUP_PENDING_REQUEST_MAX_AGE_SECONDS", default=600
)
# Timeout when fetching an SP's metadata from its URL, seconds.
STEPUP_METADATA_FETCH_TIMEOUT_SECONDS = env.int("STEPUP_METADATA_FETCH_TIMEOUT_SECONDS", default=10)
# pysaml2's schema library logs every schema it loads at INFO.
LOGGING["loggers"]["xmlschema"] = {"level": "WARNING"}
# pysaml2 itself logs whole assertions and the persistent NameID at INFO: keep only its
# warnings (idbridge.stepup logs what the IdP decided, without personal data).
LOGGING["loggers"]["saml2"] = {"level": "WARNING"}
CELERY_BEAT_SCHEDULE["stepup-purge-replay-cache"] = {
    "task": "stepup.tasks.purge_seen_requests",
    "schedule": 3600.0,
}

# --- Business Office console ---
# HR files larger than this are refused at upload (megabytes).
BOI_UPLOAD_MAX_MEGABYTES = env.int("BOI_UPLOAD_MAX_MEGABYTES", default=100)
# Staff objects per BOI transfer call.
BOI_TRANSFER_BATCH_SIZE = env.int("BOI_TRANSFER_BATCH_SIZE", default=200)
# Up to this many staff use Campus's synchronous commit (results per staff member); above
# it, the commit job (guide: under 500 → commit, more → submitCommitJob).
BOI_SYNC_COMMIT_MAX_STAFF = env.int("BOI_SYNC_COMMIT_MAX_STAFF", default=500)
# How often the commit job's status is polled, and how long before it counts as lost.
BOI_JOB_POLL_SECONDS = env.int("BOI_JOB_POLL_SECONDS", default=5)
BOI_COMMIT_JOB_MAX_SECONDS = env.int("BOI_COMMIT_JOB_MAX_SECONDS", default=4 * 3600)
# How fresh the operator's passkey check must be to commit a sync (seconds).
BOI_COMMIT_STEPUP_MAX_AGE_SECONDS = env.int("BOI_COMMIT_STEPUP_MAX_AGE_SECONDS", default=300)

# --- Campus sandbox: BOI ---
# The sandbox's Business Office Integration API (sandbox/boi/): its OAuth2 scope, how a
# sync is batched, and the commit job's recovery after a worker dies.
OAUTH2_PROVIDER["SCOPES"]["boi.readwrite"] = "Business Office Integration: read and write staff"
# Staff per batch when validate and commit walk a sync (memory grows with this, not the sync).
CAMPUS_SANDBOX_BOI_BATCH_SIZE = env.int("CAMPUS_SANDBOX_BOI_BATCH_SIZE", default=500)
# Most staff one transfer call may carry.
CAMPUS_SANDBOX_BOI_TRANSFER_MAX_STAFF = env.int(
    "CAMPUS_SANDBOX_BOI_TRANSFER_MAX_STAFF", default=1000
)
# A running commit job whose heartbeat is older than this is taken over by another worker.
CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS = env.int("CAMPUS_SANDBOX_BOI_JOB_STALE_SECONDS", default=300)
# Hard time limit of one commit-job task; at the soft limit (60 s earlier) it continues anew.
CAMPUS_SANDBOX_BOI_COMMIT_TIME_LIMIT_SECONDS = env.int(
    "CAMPUS_SANDBOX_BOI_COMMIT_TIME_LIMIT_SECONDS", default=3600
)
CELERY_BEAT_SCHEDULE["campus-boi-resume-commit-jobs"] = {
    "task": "sandbox.tasks.commit_jobs_resume",
    "schedule": 60.0,
}

# --- Campus sandbox: SAML SP ---
# The sandbox's Campus portal is a SAML service provider of idbridge's IdP (sandbox/sp/,
# djangosaml2 on pysaml2). It keeps the asserted person in a session of its own (cookie
# below) and signs nobody in to Django. Same site as the IdP, so Lax suffices for the
# IdP's POST to the ACS (a Campus on another site would need SameSite=None; Secure).
SAML_CONFIG_LOADER = "sandbox.sp.config.sp_config_load"
SAML_SESSION_COOKIE_NAME = "campus_portal_session"
SAML_SESSION_COOKIE_SAMESITE = "Lax"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
# djangosaml2 would add "form-action https:" to its views' CSP for POST-binding forms
# with an inline script; the portal uses HTTP-Redirect both ways and the project CSP
# (script-src 'self') applies unchanged.
SAML_CSP_HANDLER = ""
# Where the portal fetches idbridge's IdP metadata; empty = <PUBLIC_BASE_URL>/idp/metadata.
CAMPUS_SANDBOX_SP_IDP_METADATA_URL = env.str("CAMPUS_SANDBOX_SP_IDP_METADATA_URL", default="")
