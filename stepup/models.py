"""The step-up IdP's state: keys, registered service providers, policies, replay cache."""

from django.db import models
from django.db.models import Q

from idbridge.fields import EncryptedTextField
from stepup import policy as policy_rules
from stepup.saml.metadata import Endpoint

NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


class IdpState(models.Model):
    """One row: what every process's cached IdP server is built from, and its version.

    ``config_version`` goes up with every change to SPs or keys; each process compares
    it with the version its cached pysaml2 server was built from (one indexed read per
    SAML request) and rebuilds when they differ.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    config_version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # Keys the opaque per-SP persistent NameIDs (HMAC); generated once, never rotated
    # (rotating it would give every person a new identifier at every SP).
    nameid_secret = EncryptedTextField()

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"IdP configuration v{self.config_version}"


class SigningKey(models.Model):
    """An IdP signing key pair. One ``current`` key signs; a ``next`` key is published in
    metadata beside it until it is promoted (key rollover); ``retired`` keys are kept for
    the record only."""

    CURRENT = "current"
    NEXT = "next"
    RETIRED = "retired"
    STATUS_CHOICES = [(CURRENT, "Current"), (NEXT, "Next"), (RETIRED, "Retired")]

    status = models.CharField(max_length=10, choices=STATUS_CHOICES)
    private_key = EncryptedTextField()
    certificate = models.TextField(help_text="PEM certificate (public).")
    fingerprint = models.CharField(max_length=95)
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="current"), name="stepup_one_current_key"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="next"), name="stepup_one_next_key"
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} signing key {self.fingerprint[:23]}…"


class ServiceProvider(models.Model):
    """A SAML service provider allowed to ask idbridge for assertions."""

    NAMEID_CHOICES = [
        (NAMEID_PERSISTENT, "Persistent (opaque, per SP)"),
        (NAMEID_TRANSIENT, "Transient (new each time)"),
        (NAMEID_EMAIL, "Email address"),
    ]
    ATTRIBUTE_CHOICES = [
        ("staff_number", "Staff number"),
        ("email", "Email"),
        ("given_name", "Given name"),
        ("surname", "Surname"),
        ("display_name", "Display name"),
        ("affiliation", "eduPersonAffiliation"),
        ("campus_person_id", "Campus person ID"),
        ("roles", "Campus roles"),
    ]
    DEFAULT_ATTRIBUTES = [key for key, _ in ATTRIBUTE_CHOICES]

    entity_id = models.CharField(max_length=1024, unique=True)
    name = models.CharField(max_length=200, blank=True)
    metadata_xml = models.TextField()
    metadata_url = models.URLField(max_length=1024, blank=True)
    # Derived from the metadata at registration (and at every refresh).
    acs_endpoints = models.JSONField(default=list)
    slo_endpoints = models.JSONField(default=list)
    signing_certificates = models.JSONField(default=list)
    encryption_certificates = models.JSONField(default=list)
    metadata_wants_signed_requests = models.BooleanField(default=False)
    # Set by the district.
    require_signed_requests = models.BooleanField(
        default=False,
        help_text="Refuse AuthnRequests without a valid signature, even if the metadata "
        "does not say AuthnRequestsSigned.",
    )
    encrypt_assertions = models.BooleanField(
        default=False, help_text="Encrypt assertions to the SP's encryption certificate."
    )
    name_id_format = models.CharField(
        max_length=100, choices=NAMEID_CHOICES, default=NAMEID_PERSISTENT
    )
    released_attributes = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "entity_id"]
        default_permissions = ()

    def __str__(self):
        return self.name or self.entity_id

    @property
    def signatures_required(self) -> bool:
        return self.require_signed_requests or self.metadata_wants_signed_requests

    def acs(self) -> list[Endpoint]:
        return [Endpoint(**e) for e in self.acs_endpoints]

    def slo(self) -> list[Endpoint]:
        return [Endpoint(**e) for e in self.slo_endpoints]

    def released_attribute_labels(self) -> list[str]:
        labels = dict(self.ATTRIBUTE_CHOICES)
        return [labels[k] for k in self.released_attributes if k in labels]


class StepUpPolicy(models.Model):
    """A step-up rule, editable on the dashboard; evaluated by ``stepup.policy``."""

    CLASS_REF_CHOICES = [
        ("", "— none: match by RelayState only —"),
        (policy_rules.STEPUP_PAYROLL, "Step-up: payroll"),
        (policy_rules.STEPUP_GRADE_OVERRIDE, "Step-up: grade override"),
        (policy_rules.STEPUP_ENROLLMENT_CHANGE, "Step-up: enrollment change"),
        (policy_rules.REFEDS_MFA, "REFEDS MFA"),
    ]

    action = models.SlugField(max_length=64)
    label = models.CharField(max_length=100)
    service_provider = models.ForeignKey(
        ServiceProvider,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policies",
        help_text="Empty: applies to every service provider.",
    )
    class_ref = models.CharField(
        max_length=255,
        blank=True,
        choices=CLASS_REF_CHOICES,
        help_text="Selected when the SP requests this authentication context class; "
        "asserted once the policy is met.",
    )
    relay_state_pattern = models.CharField(
        max_length=500,
        blank=True,
        help_text="Regular expression searched in the RelayState (the SP's target URL).",
    )
    max_age_seconds = models.PositiveIntegerField(
        default=300, help_text="How old the passkey check may be; 0 = every time."
    )
    required_roles = models.JSONField(
        default=list, blank=True, help_text="Campus roles allowed; empty = any staff."
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "id"]
        default_permissions = ()

    def __str__(self):
        return self.label or self.action

    def to_policy(self) -> policy_rules.Policy:
        return policy_rules.Policy(
            action=self.action,
            label=self.label,
            class_ref=self.class_ref or None,
            relay_state_pattern=self.relay_state_pattern or None,
            max_age=self.max_age_seconds,
            required_roles=frozenset(self.required_roles or ()),
            sp_entity_id=self.service_provider.entity_id if self.service_provider_id else None,
        )


class SeenRequest(models.Model):
    """Replay cache shared by every worker: one row per accepted AuthnRequest ID.

    The primary key is a digest of (SP entity ID, request ID), so a second insert of the
    same pair fails on any database. Rows expire once the request's IssueInstant is
    outside the clock-skew window (after that the request is refused as stale anyway).
    """

    digest = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return self.digest


class AdminActPolicy(models.Model):
    """How fresh the passkey check must be for one administrative act of the dashboard
    (``stepup.gates.ADMIN_POLICIES``), as a district admin set it on the step-up policies
    page. No row: the shipped default, the act's setting."""

    action = models.CharField(max_length=40, unique=True)
    max_age_seconds = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.action}: {self.max_age_seconds} s"
