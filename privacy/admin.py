from django.contrib import admin

from privacy.models import DataSubjectRequest


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are worked on the dashboard's privacy desk, through services."""

    list_display = ["id", "kind", "status", "received_at", "due_by", "verified_at", "assignee"]
    list_filter = ["kind", "status", "channel"]
    search_fields = ["=id", "=customer__id"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
