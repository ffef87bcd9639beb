"""Top-level URLs: the staff admin, the storefront API, the customer portal."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from runtime import views as runtime

admin.site.site_header = "Custodian"
admin.site.site_title = "Custodian staff"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("portal.urls")),
    path("healthz", runtime.healthz, name="healthz"),
    path("readyz", runtime.readyz, name="readyz"),
]
