from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Audit entries cannot be changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only")


class AuditEntry(models.Model):
    """One audit entry. Appended unchained (``id`` is the append order); the sealer later
    gives it its chain position ``seq``, ``prev_hash`` and ``hash`` (see services.audit_seal).
    """

    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200, db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    target = models.CharField(max_length=300, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["id"], condition=models.Q(seq=None), name="audit_unsealed"),
        ]

    def __str__(self):
        where = f"#{self.seq}" if self.sealed else f"unsealed id {self.id}"
        return f"{where} {self.actor_label} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    def chained_fields(self) -> dict:
        """The entry as hashed: everything but the hashes themselves and the actor FK."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor": self.actor_label,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


class ChainHead(models.Model):
    """A single row: the last sealed entry's position and hash. Locked by the sealer only."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"chain head #{self.last_seq}"
