"""Top-level URLs: the staff admin (at ADMIN_URL), the staff dashboard, the storefront
API, the customer portal."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from runtime import views as runtime
from runtime.metrics import metrics

# A fault answers calmly: 503 for a lost database, JSON under /api/ (runtime.outage).
handler500 = "runtime.outage.server_error"

admin.site.site_header = "Custodian"
admin.site.site_title = "Custodian staff"

urlpatterns = [
    # The start page is the dashboard's: the admin's path (ADMIN_URL) is never given away.
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("forms/", include("leads.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("portal.urls")),
    path("healthz", runtime.healthz, name="healthz"),
    path("readyz", runtime.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]
