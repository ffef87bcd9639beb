from django.contrib import admin

from recommendations.models import Build


@admin.register(Build)
class BuildAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "activated_at", "is_active", "customers", "products")
    readonly_fields = [field.name for field in Build._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
