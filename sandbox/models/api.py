"""What the sandbox's APIs need: clients, SOAP sessions, fault switches, request counters."""

from django.db import models
from django.utils import timezone

from idbridge.fields import EncryptedTextField

ROSTER_CORE_SCOPE = "roster-core.readonly"
ROSTER_DEMOGRAPHICS_SCOPE = "roster-demographics.readonly"


class ApiClient(models.Model):
    """A district's integration account: a SOAP user and an OAuth2 client (DOT application).

    The OAuth2 client secret is hashed by django-oauth-toolkit; it is shown once, when it is
    generated. The SOAP password is kept encrypted rather than hashed because a
    WS-Security PasswordDigest (Base64(SHA-1(nonce + created + password))) can only be
    checked with the password itself.
    """

    name = models.CharField(max_length=100, unique=True)
    app_name = models.SlugField(
        max_length=100, unique=True, help_text="The appName in the token and API URLs"
    )
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="campus_client"
    )
    soap_username = models.CharField(max_length=150, unique=True)
    soap_password = EncryptedTextField()
    scopes = models.CharField(
        max_length=200, default=f"{ROSTER_CORE_SCOPE} {ROSTER_DEMOGRAPHICS_SCOPE}"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    soap_password_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class SoapSession(models.Model):
    """A sessionID handed out by Authenticate; only its SHA-256 is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="soap_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"session of {self.client_id} until {self.expires_at:%H:%M:%S}"


class FaultConfig(models.Model):
    """The fault switchboard (one row, id=1); all off by default. See sandbox/faults.py."""

    endpoints = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated endpoint prefixes the faults apply to (blank = all)",
    )
    latency_ms = models.PositiveIntegerField(default=0)
    error_share = models.FloatField(default=0.0, help_text="Share of requests answered 5xx")
    error_status = models.PositiveSmallIntegerField(default=503)
    timeout_share = models.FloatField(default=0.0)
    timeout_seconds = models.FloatField(default=30.0)
    rate_limit_share = models.FloatField(default=0.0, help_text="Share answered 429")
    retry_after_seconds = models.PositiveIntegerField(default=1)
    session_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Lifetime of new SOAP sessions and OAuth2 tokens"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Campus sandbox faults"


class EndpointCounter(models.Model):
    """Requests seen per endpoint (``soap.Authenticate``, ``oneroster.users``, ...)."""

    endpoint = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.endpoint}: {self.count}"
