from django.db import models


class Capability(models.Model):
    """Holds the dashboard permissions that roles are made of; it stores no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_onboarding", "See staff onboarding"),
            ("manage_onboarding", "Invite, re-proof and revoke staff"),
            ("view_stepup", "See the IdP, service providers and step-up policies"),
            ("manage_stepup", "Change service providers and step-up policies"),
            ("view_boi", "See the Business Office console"),
            ("manage_boi", "Import HR data and run Business Office syncs"),
            ("view_audit", "Read the audit log"),
            ("view_sandbox", "See the Campus sandbox"),
            ("manage_sandbox", "Change the Campus sandbox"),
            ("view_outbox", "Read the local mail outbox"),
            ("manage_connections", "Configure Campus connections and their credentials"),
        ]

    def __str__(self):
        return "dashboard capabilities"


class OutboxMessage(models.Model):
    """A message delivered by the embedded default's mail backend instead of SMTP."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=998)
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    raw = models.TextField(help_text="The whole MIME message as it would have been sent.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
