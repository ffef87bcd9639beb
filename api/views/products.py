"""Product reads: the catalogue, cursor-paginated by sku, and one product by sku.
Products hold no personal data; the upsert (POST) is in api.views.purchases."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.views.base import ApiView
from api.views.purchases import ProductUpsertApi
from customers.models import Product


class ProductOutput(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProductCursor(CursorPagination):
    ordering = "sku"  # unique and never reused: a stable position
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def get_page_size(self, request):
        # An oversized `limit` is refused (400), as on every list (v1.3), never clamped.
        requested = request.query_params.get(self.page_size_query_param)
        if requested is not None and int(requested) > self.max_page_size:
            raise ValidationError({"limit": [f"At most {self.max_page_size}."]})
        return super().get_page_size(request)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["Not a cursor from this list."]}) from None


PaginatedProducts = inline_serializer(
    "PaginatedProductList",
    {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ProductOutput(many=True),
    },
)


class ProductListApi(ProductUpsertApi):
    """GET lists the catalogue; POST (inherited) creates or updates by sku."""

    required_scope = Scope.PURCHASES
    allowed_query = ("cursor", "limit")

    @extend_schema(
        operation_id="products_list",
        description="The catalogue in sku order, 50 per page (`limit` up to 200). Follow "
        "`next` (an opaque cursor) until it is null.",
        parameters=[
            OpenApiParameter("cursor", str, description="The cursor from `next`/`previous`."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": ProductCursor.max_page_size},
                description="Products per page, 1 to 200 (more is a 400).",
            ),
        ],
        responses={200: PaginatedProducts, **BAD_REQUEST, **COMMON_ERRORS},
    )
    def get(self, request):
        paginator = ProductCursor()
        page = paginator.paginate_queryset(Product.objects.all(), request, view=self)
        return paginator.get_paginated_response(ProductOutput(page, many=True).data)


class ProductDetailApi(ApiView):
    required_scope = Scope.PURCHASES

    @extend_schema(
        operation_id="products_retrieve",
        responses={200: ProductOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, sku):
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise NotFound("No product with this sku.")
        return Response(ProductOutput(product).data)
