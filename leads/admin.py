"""Administrators see capture forms here; leads themselves (personal data) are worked in
the dashboard, where every view is an audited read."""

from django.contrib import admin

from leads.models import LeadForm


@admin.register(LeadForm)
class LeadFormAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "source", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("slug", "name", "source")
