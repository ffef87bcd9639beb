from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from api.models import StorefrontKey


@admin.register(StorefrontKey)
class StorefrontKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "scopes"]
