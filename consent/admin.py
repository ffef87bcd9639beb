from django.contrib import admin

from consent.models import ConsentEvent, Notice, Purpose


class NoticeInline(admin.TabularInline):
    model = Notice
    extra = 0
    readonly_fields = ["version", "text", "content_hash", "published_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lawful_basis"]
    inlines = [NoticeInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "customer_id", "purpose", "granted", "source", "actor"]
    list_filter = ["purpose", "granted", "source"]
    search_fields = ["=customer__id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
