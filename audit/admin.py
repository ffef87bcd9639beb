from django.contrib import admin

from audit.models import AuditEvent, AuditSeal


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "purpose"]
    search_fields = ["object_id", "actor", "=subject_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditSeal)
class AuditSealAdmin(admin.ModelAdmin):
    list_display = ["number", "sealed_at", "first_event_id", "last_event_id", "event_count"]
    readonly_fields = [field.name for field in AuditSeal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
