"""What the sandbox's Business Office Integration (BOI) API and tools keep.

- **BoiPreferences** (one row, id=1): the field locks per area and the switch "Allow
  household and address creations/updates from the HR system".
- **SyncSession** and **SyncStagedStaff**: a synchronization (start → transfer … → end
  transfer → validate → commit / commit job) and the HR staff transferred into it. A
  staged payload is kept without its SSN; the SSN is stored encrypted beside it.
  ``status`` of a staged row turns ``committed`` (or ``failed``) in the same transaction
  as the change it describes, so a resumed commit never applies a row twice.
- **CommitJob**: a background commit (``submitCommitJob``) with progress done/total.
- **BoiErrorLogEntry**: every failed BOI call (method, path, message, payload with any
  SSN masked) and every staff member a commit could not apply.
- **BoiNotification** / **BoiNotificationRecipient** / **MessageCenterMessage**: who is
  told when HR creates or updates staff (HR-Staff) or a sync commit ends (HR Sync Commit),
  and the messages that land in their Message Center. **CampusToolRights** stands in for
  Campus's tool rights: only holders of District Employment and/or District Assignments
  rights may be recipients.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from idbridge.fields import EncryptedTextField

BOI_SCOPE = "boi.readwrite"


class BoiPreferences(models.Model):
    """Business Office Preferences (one row, id=1).

    The locks only decide what the Campus UI lets people edit by hand on staff that HR
    controls (``Person.hr_synced_at``); they never change what the API accepts. Only
    ``allow_household_updates`` does: off, Campus ignores household and address data.
    """

    # Integration
    lock_demographics = models.BooleanField(
        default=True, help_text="Demographics (gender, birth date, SSN, phones, e-mails)"
    )
    lock_identities = models.BooleanField(default=True, help_text="Names (identities)")
    lock_employment = models.BooleanField(default=True, help_text="District Employment")
    lock_assignments = models.BooleanField(default=True, help_text="District Assignments")
    # Household/Address
    lock_households = models.BooleanField(default=True, help_text="Households and addresses")
    allow_household_updates = models.BooleanField(
        default=True,
        verbose_name="Allow household and address creations/updates from the HR system",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "BOI preferences"

    def __str__(self):
        return "Business Office Preferences"

    LOCK_AREAS = {
        "demographics": "lock_demographics",
        "identities": "lock_identities",
        "employment": "lock_employment",
        "assignments": "lock_assignments",
        "households": "lock_households",
    }

    def is_locked(self, area: str) -> bool:
        return bool(getattr(self, self.LOCK_AREAS[area]))


class SyncSession(models.Model):
    """One staff synchronization. ``status`` follows ``boi.rules.sync.SyncState`` plus
    ``committing`` (a commit job is running) and ``cancelled`` (another start replaced it).
    """

    class Status(models.TextChoices):
        TRANSFERRING = "transferring", "Transferring"
        TRANSFER_ENDED = "transfer_ended", "Transfer ended"
        VALIDATED = "validated", "Validated"
        COMMITTING = "committing", "Committing (job running)"
        COMMITTED = "committed", "Committed"
        CANCELLED = "cancelled", "Cancelled (started again)"

    OPEN = (Status.TRANSFERRING, Status.TRANSFER_ENDED, Status.VALIDATED)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TRANSFERRING)
    client = models.ForeignKey(
        "campus.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.CharField(max_length=150, help_text="API client or sandbox user")
    started_at = models.DateTimeField(default=timezone.now)
    transfer_ended_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    staff_count = models.PositiveIntegerField(default=0, help_text="Staff transferred")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts of the last validate")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"sync {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class SyncStagedStaff(models.Model):
    """One HR staff member transferred into a sync (the staging file)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        COMMITTED = "committed"
        FAILED = "failed"

    session = models.ForeignKey(SyncSession, on_delete=models.CASCADE, related_name="staged")
    staff_number = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(help_text="The staff object as transferred, without its SSN")
    ssn = EncryptedTextField(visible_tail=4)
    # The last validate: what will happen to this staff member.
    action = models.CharField(max_length=10, blank=True)
    report = models.JSONField(null=True, blank=True)
    # The commit.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    committed_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        "campus.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    errors = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            # Validate and commit stream a session's rows by staff number (keyset paging).
            models.Index(fields=["session", "staff_number", "id"], name="campus_staged_number_idx"),
            # A commit takes the next pending rows in the same order.
            models.Index(
                fields=["session", "status", "staff_number", "id"], name="campus_staged_status_idx"
            ),
        ]

    def __str__(self):
        return f"staged {self.staff_number} in sync {self.session_id}"


class CommitJob(models.Model):
    """A background commit of a sync (``submitCommitJob``), resumable after a crash."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    session = models.ForeignKey(SyncSession, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker claimed it")
    worker = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"commit job {self.pk} ({self.status} {self.done}/{self.total})"


class BoiErrorLogEntry(models.Model):
    """Business Office Error Log: Error Date, Action, Path, Error Message, Payload."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=10, help_text="Action: the HTTP method, or COMMIT")
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(default=0)
    message = models.TextField()
    payload = models.TextField(blank=True, help_text="The request body; SSNs masked")
    client_name = models.CharField(max_length=100, blank=True)
    staff_number = models.CharField(max_length=64, blank=True)
    session = models.ForeignKey(
        SyncSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "BOI error log entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.method} {self.path}"


class CampusToolRights(models.Model):
    """A sandbox user's Campus tool rights that matter to Business Office Notifications."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campus_tool_rights"
    )
    district_employment = models.BooleanField(default=False)
    district_assignments = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "Campus tool rights"

    def __str__(self):
        return f"tool rights of {self.user_id}"

    @property
    def may_receive_boi_notifications(self) -> bool:
        return self.district_employment or self.district_assignments


class BoiNotification(models.Model):
    class Kind(models.TextChoices):
        HR_STAFF = "hr_staff", "HR-Staff"
        HR_SYNC_COMMIT = "hr_sync_commit", "HR Sync Commit"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} notification {self.pk}"


class BoiNotificationRecipient(models.Model):
    notification = models.ForeignKey(
        BoiNotification, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="campus_boi_recipient_once"
            )
        ]

    def __str__(self):
        return f"{self.user_id} ← {self.notification_id}"


class MessageCenterMessage(models.Model):
    """A message in a sandbox user's Campus Message Center."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campus_messages"
    )
    kind = models.CharField(max_length=20, choices=BoiNotification.Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject
