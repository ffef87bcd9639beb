from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views.changes import ChangeFeedApi
from api.views.consents import CustomerConsentsApi, PurposeListApi
from api.views.customers import CustomerDetailApi, CustomerListCreateApi, CustomerLookupApi
from api.views.interactions import CustomerInteractionsApi
from api.views.leads import LeadCreateApi, LeadDetailApi
from api.views.privacy import CustomerErasureApi, CustomerExportApi, ErasureRequestDetailApi
from api.views.processors import CustomerDisclosuresApi, ProcessorListApi
from api.views.products import ProductDetailApi, ProductListApi
from api.views.purchases import PurchaseCreateApi, ReturnCreateApi
from api.views.recommendations import AlsoBoughtApi, CustomerRecommendationsApi

app_name = "api"

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
    path(
        "docs/",
        # Swagger UI without inline script (its start-up script is served by the same view
        # at ?script=) or inline <style>; its stylesheet's icons are data: images, which
        # only this page's policy allows.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema",
                template_name="api/swagger_ui.html",
                authentication_classes=[],
                permission_classes=[],
            )
        ),
        name="docs",
    ),
    path("v1/customers/", CustomerListCreateApi.as_view(), name="customer-list"),
    path("v1/customers/lookup/", CustomerLookupApi.as_view(), name="customer-lookup"),
    path("v1/customers/<str:customer_id>/", CustomerDetailApi.as_view(), name="customer-detail"),
    path(
        "v1/customers/<str:customer_id>/consents/",
        CustomerConsentsApi.as_view(),
        name="customer-consents",
    ),
    path(
        "v1/customers/<str:customer_id>/interactions/",
        CustomerInteractionsApi.as_view(),
        name="customer-interactions",
    ),
    path(
        "v1/customers/<str:customer_id>/disclosures/",
        CustomerDisclosuresApi.as_view(),
        name="customer-disclosures",
    ),
    path(
        "v1/customers/<str:customer_id>/export/",
        CustomerExportApi.as_view(),
        name="customer-export",
    ),
    path(
        "v1/customers/<str:customer_id>/erasure/",
        CustomerErasureApi.as_view(),
        name="customer-erasure",
    ),
    path(
        "v1/erasure-requests/<str:request_id>/",
        ErasureRequestDetailApi.as_view(),
        name="erasure-request-detail",
    ),
    path("v1/leads/", LeadCreateApi.as_view(), name="lead-list"),
    path("v1/leads/<str:lead_id>/", LeadDetailApi.as_view(), name="lead-detail"),
    path("v1/products/", ProductListApi.as_view(), name="product-upsert"),
    path("v1/purchases/", PurchaseCreateApi.as_view(), name="purchase-create"),
    path("v1/returns/", ReturnCreateApi.as_view(), name="return-create"),
    path("v1/purposes/", PurposeListApi.as_view(), name="purpose-list"),
    path(
        "v1/customers/<str:customer_id>/recommendations/",
        CustomerRecommendationsApi.as_view(),
        name="customer-recommendations",
    ),
    path(
        "v1/products/<path:sku>/also-bought/",
        AlsoBoughtApi.as_view(),
        name="product-also-bought",
    ),
    path("v1/products/<path:sku>/", ProductDetailApi.as_view(), name="product-detail"),
    path("v1/changes/", ChangeFeedApi.as_view(), name="change-feed"),
    path("v1/processors/", ProcessorListApi.as_view(), name="processor-list"),
]
