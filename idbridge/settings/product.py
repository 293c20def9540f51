"""The product half of idbridge's settings: what the audit log, staff onboarding, the
step-up IdP, the Business Office console and the Campus sandbox read. Built on
``framework.py``; ``idbridge.settings`` combines the two."""

from django.core.exceptions import ImproperlyConfigured

from idbridge.settings.framework import (
    CELERY_BEAT_SCHEDULE,
    INSTALLED_APPS,
    LOGGING,
    VAR_DIR,
    env,
)

# --- Audit log ------------------------------------------------------------------------
# Entries are appended unchained and sealed into the hash chain in batches (see
# idbridge/audit/services.py); every seal appends a signed checkpoint outside the database.
AUDIT_SEAL_INTERVAL_SECONDS = env.float("AUDIT_SEAL_INTERVAL_SECONDS", default=10.0)
AUDIT_SEAL_GRACE_SECONDS = env.float("AUDIT_SEAL_GRACE_SECONDS", default=2.0)
AUDIT_SEAL_EVERY = env.int("AUDIT_SEAL_EVERY", default=100)  # opportunistic seal; 0 = off
AUDIT_SEAL_BATCH = env.int("AUDIT_SEAL_BATCH", default=5000)
# "Verify the chain" on the audit log page checks at most this many sealed entries.
AUDIT_CHECK_IN_PAGE_MAX = env.int("AUDIT_CHECK_IN_PAGE_MAX", default=200_000)
# Refused (403) requests and failed sign-ins audited per client address per minute.
AUDIT_REFUSALS_PER_ADDRESS_PER_MINUTE = env.int("AUDIT_REFUSALS_PER_ADDRESS_PER_MINUTE", default=30)
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
# How long the applicant's page waits for the task fetching their record from Campus
# before it says Campus did not answer (and offers to try again).
STAFF_RECORD_FACTS_WAIT_SECONDS = env.int("STAFF_RECORD_FACTS_WAIT_SECONDS", default=30)
# The onboarding page's counts over every case (funnel, needs attention, per day, per
# school) are computed at most this often and shared by the web workers (0: every load).
STAFF_DASHBOARD_COUNTS_SECONDS = env.int("STAFF_DASHBOARD_COUNTS_SECONDS", default=15)
# A case in proofing this many days after its link was opened needs HR's attention.
STAFF_ATTENTION_PROOFING_DAYS = env.int("STAFF_ATTENTION_PROOFING_DAYS", default=3)
# Invitation waves (existing staff, at a pace): a run sends what the pace allows in
# STAFF_WAVE_STEP_SECONDS, then reschedules itself; at most STAFF_WAVE_BATCH per run.
STAFF_WAVE_STEP_SECONDS = env.int("STAFF_WAVE_STEP_SECONDS", default=5)
STAFF_WAVE_BATCH = env.int("STAFF_WAVE_BATCH", default=100)
# A trusted referee (an HR operator) must record an identity-document inspection.
STAFF_REQUIRE_SUPERVISED_PROOFING = env.bool("STAFF_REQUIRE_SUPERVISED_PROOFING", default=False)
# What the record check adds that only the person has (README "Identity assurance"):
# "code" (default): a one-time code sent to a second channel Campus holds (personal
# e-mail, mobile), HR-supervised confirmation when there is none; "supervised": always
# HR-supervised; "none": the record check alone (insiders who see Campus can pass it).
STAFF_PROOFING_SECOND_FACTOR = env.str("STAFF_PROOFING_SECOND_FACTOR", default="code")
if STAFF_PROOFING_SECOND_FACTOR not in ("code", "supervised", "none"):
    raise ImproperlyConfigured('STAFF_PROOFING_SECOND_FACTOR: "code", "supervised" or "none".')
# The code: minutes it lasts, wrong entries before the case locks, sends per case per hour.
STAFF_PROOFING_CODE_TTL_MINUTES = env.int("STAFF_PROOFING_CODE_TTL_MINUTES", default=10)
STAFF_PROOFING_CODE_MAX_ATTEMPTS = env.int("STAFF_PROOFING_CODE_MAX_ATTEMPTS", default=5)
STAFF_PROOFING_CODE_SENDS_PER_HOUR = env.int("STAFF_PROOFING_CODE_SENDS_PER_HOUR", default=3)
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
# How fresh a district admin's passkey check must be to grant or remove dashboard roles.
STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS = env.int("STEPUP_ROLE_CHANGE_MAX_AGE_SECONDS", default=300)
# How fresh a district admin's passkey check must be for the other administrative acts
# (stepup.gates): registering or removing a service provider, changing a step-up policy,
# rolling over or promoting the signing key, giving a Campus connection its credentials.
STEPUP_SP_CHANGE_MAX_AGE_SECONDS = env.int("STEPUP_SP_CHANGE_MAX_AGE_SECONDS", default=300)
STEPUP_POLICY_CHANGE_MAX_AGE_SECONDS = env.int("STEPUP_POLICY_CHANGE_MAX_AGE_SECONDS", default=300)
STEPUP_KEY_CHANGE_MAX_AGE_SECONDS = env.int("STEPUP_KEY_CHANGE_MAX_AGE_SECONDS", default=300)
STEPUP_CONNECTION_SECRETS_MAX_AGE_SECONDS = env.int(
    "STEPUP_CONNECTION_SECRETS_MAX_AGE_SECONDS", default=300
)
# The break-glass account has no passkey: a fresh code from its authenticator app stands
# for one administrative act, done within this many seconds of typing it.
BREAK_GLASS_ACT_MAX_AGE_SECONDS = env.int("BREAK_GLASS_ACT_MAX_AGE_SECONDS", default=120)

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
