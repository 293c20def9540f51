from django.contrib import admin

from idbridge.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are appended by services, never edited or deleted here."""

    list_display = ("seq", "created_at", "actor_label", "action", "target")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
