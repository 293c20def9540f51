"""The error log's records: one failed Campus call each, with its whole request.

The request body is kept whole, SSNs masked, as zlib-compressed JSON (a transfer batch of
hundreds of staff runs to megabytes of text); ``payload`` holds its first characters to
show on the page and in the PDF. The staff numbers the request names are stored beside the
entry, so the log is searched by staff number without opening any request.
"""

from django.db import models
from django.utils import timezone


class ErrorLogEntry(models.Model):
    """A failed Campus call (Campus's Business Office Error Log, on idbridge's side)."""

    connection = models.ForeignKey(
        "boi.BoiConnection", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey("boi.SyncRun", null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=10)  # HTTP method
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField()
    payload = models.TextField(
        blank=True, help_text="The request body's first characters, SSNs masked"
    )
    request_gz = models.BinaryField(
        blank=True, default=b"", help_text="The whole request body as JSON, SSNs masked, zlib"
    )
    request_chars = models.PositiveIntegerField(default=0)  # the whole request's length
    permanent = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "error log entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.path}"

    @property
    def request_length(self) -> int:
        """The whole request's characters (an entry from before kept only ``payload``)."""
        return self.request_chars or len(self.payload)

    @property
    def is_payload_cut(self) -> bool:
        return self.request_chars > len(self.payload)


class ErrorLogStaff(models.Model):
    """A staff number the entry's request names (the search by staff number)."""

    entry = models.ForeignKey(ErrorLogEntry, on_delete=models.CASCADE, related_name="staff")
    staff_number = models.CharField(max_length=50)

    class Meta:
        indexes = [models.Index(fields=["staff_number"], name="boi_errorlogstaff_number_idx")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "staff_number"], name="boi_errorlogstaff_once")
        ]

    def __str__(self):
        return self.staff_number
