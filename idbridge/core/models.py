from django.db import models

from idbridge.fields import EncryptedTextField
from idbridge.search import SearchedByWords, SearchWord, search_words_write


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
            ("manage_roles", "Grant and remove dashboard roles"),
        ]

    def __str__(self):
        return "dashboard capabilities"


# How much of "recipients, subject" the outbox search reads (an index entry stays small).
SEARCH_TEXT_LENGTH = 600


def outbox_search_text(to: list[str], subject: str) -> str:
    """What the outbox search matches a word against: recipients and subject, lowercased.

    >>> outbox_search_text(["A.Nowak@District.example"], "Set up your sign-in")
    'a.nowak@district.example\nset up your sign-in'
    """
    return f"{' '.join(to)}\n{subject}".lower()[:SEARCH_TEXT_LENGTH]


class OutboxMessage(SearchedByWords, models.Model):
    """A message delivered by the embedded default's mail backend instead of SMTP."""

    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=998)
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    raw = models.TextField(help_text="The whole MIME message as it would have been sent.")
    # Computed on save (outbox_search_text): its words are kept in OutboxSearchWord, which
    # the search reads, never the bodies nor 50,000 messages' texts.
    search_text = models.CharField(max_length=SEARCH_TEXT_LENGTH, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The outbox is paged by (created_at, id), newest first (idbridge.core.paging).
        indexes = [models.Index(fields=["created_at", "id"], name="outbox_newest_first")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    def save(self, *args, **kwargs):
        self.search_text = outbox_search_text(self.to, self.subject)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        search_words_write(OutboxSearchWord, "message_id", [self], new=adding)


class OutboxSearchWord(SearchWord):
    """One word of an outbox message's recipients and subject (``idbridge.search``): the
    outbox search reads a range of these rather than every message's text."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["word", "message"], name="outbox_word"),
            models.Index(fields=["message", "word"], name="outbox_word_of_message"),
        ]


class BreakGlassAccount(models.Model):
    """The local recovery account (``manage.py break_glass_create``): a long random
    password plus a TOTP code; every use is audited and alerts every district admin."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="break_glass_account"
    )
    totp_secret = EncryptedTextField()
    # The last TOTP time step accepted: a code is good once (no replay inside its window).
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"break-glass account {self.user.username}"
