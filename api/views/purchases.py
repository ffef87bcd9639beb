"""Products (upsert by sku) and purchases (one line or a batch of up to 1000)."""

from django.conf import settings
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, BatchErrors
from customers import services
from customers.exceptions import BatchValidationError


class ProductSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    category = serializers.SlugField(max_length=64)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


class ProductUpsertApi(APIView):
    required_scope = Scope.PURCHASES

    @extend_schema(
        operation_id="products_upsert",
        request=ProductSerializer,
        responses={
            201: OpenApiResponse(ProductSerializer, description="Created."),
            200: OpenApiResponse(ProductSerializer, description="The sku existed: updated."),
            **BAD_REQUEST,
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product, created = services.upsert_product(
            **serializer.validated_data, actor=request.auth.actor
        )
        return Response(
            ProductSerializer(product).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PurchaseLineSerializer(serializers.Serializer):
    customer = serializers.UUIDField()
    order_id = serializers.CharField(max_length=100)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    purchased_at = serializers.DateTimeField()

    def to_line(self) -> services.PurchaseLine:
        data = self.validated_data
        return services.PurchaseLine(
            customer_id=data["customer"],
            order_id=data["order_id"],
            sku=data["sku"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            purchased_at=data["purchased_at"],
        )


PurchaseResult = inline_serializer(
    "PurchaseResult",
    {"created": serializers.IntegerField(), "duplicates": serializers.IntegerField()},
)


class PurchaseCreateApi(APIView):
    required_scope = Scope.PURCHASES

    @extend_schema(
        operation_id="purchases_create",
        description=(
            "One purchase line, or a list of up to 1000. Idempotent on (order_id, sku): a "
            "line already stored, or repeated in the request, counts as a duplicate. An "
            "invalid line rejects the whole request (nothing is stored), naming its index."
        ),
        request=PolymorphicProxySerializer(
            component_name="PurchaseLineOrBatch",
            serializers=[PurchaseLineSerializer(), PurchaseLineSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            201: PurchaseResult,
            400: OpenApiResponse(
                BatchErrors, description="Invalid lines by index, or {detail} for the batch."
            ),
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        items = request.data if isinstance(request.data, list) else [request.data]
        if not items:
            raise BadRequest("Send at least one purchase line.")
        if len(items) > settings.API_MAX_BATCH:
            raise BadRequest(f"Send at most {settings.API_MAX_BATCH} lines per request.")
        errors, lines = {}, {}
        for index, item in enumerate(items):
            serializer = PurchaseLineSerializer(data=item)
            if not isinstance(item, dict):
                errors[index] = {"non_field_errors": ["Expected a JSON object."]}
            elif serializer.is_valid():
                lines[index] = serializer.to_line()
            else:
                errors[index] = serializer.errors
        # Report every bad line at once: the domain checks run on the well-formed ones.
        positions = list(lines)
        for position, line_errors in services.purchase_line_errors(list(lines.values())).items():
            errors[positions[position]] = line_errors
        if errors:
            raise BatchValidationError(dict(sorted(errors.items())))
        result = services.record_purchases(lines=list(lines.values()), actor=request.auth.actor)
        return Response(
            {"created": result.created, "duplicates": result.duplicates},
            status=status.HTTP_201_CREATED,
        )
