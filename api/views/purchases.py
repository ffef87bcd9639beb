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

from api import lookup
from api.bulk_lines import validate_lines
from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, BatchErrors
from api.strict import AwareDateTimeField, MoneyField, StrictSerializer
from api.views.base import ApiView
from customers import services
from customers.exceptions import BatchValidationError


class ProductSerializer(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    category = serializers.SlugField(max_length=64)
    price = MoneyField()


class ProductUpsertApi(ApiView):
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


class PurchaseLineSerializer(StrictSerializer):
    customer = serializers.UUIDField(
        required=False, help_text="Custodian's id; or give `customer_external_id`."
    )
    customer_external_id = serializers.CharField(
        required=False,
        max_length=100,
        help_text="The storefront's id (v1.1), instead of `customer`.",
    )
    order_id = serializers.CharField(max_length=100)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = MoneyField()
    purchased_at = AwareDateTimeField()

    def validate(self, attrs):
        if ("customer" in attrs) == ("customer_external_id" in attrs):
            raise serializers.ValidationError(
                {"customer": ["Give exactly one of customer or customer_external_id."]}
            )
        return attrs

    @staticmethod
    def to_line(data: dict, customer_id) -> services.PurchaseLine:
        return services.PurchaseLine(
            customer_id=customer_id,
            order_id=data["order_id"],
            sku=data["sku"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            purchased_at=data["purchased_at"],
        )


PurchaseResult = inline_serializer(
    "PurchaseResult",
    {
        "created": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "items": inline_serializer(
            "PurchaseLineOutcome",
            {
                "index": serializers.IntegerField(),
                "status": serializers.ChoiceField(choices=["created", "duplicate"]),
            },
            many=True,
        ),
    },
)


def _resolve_customers(valid: dict[int, dict], errors: dict) -> dict:
    """{index: customer id} of the valid lines; a `customer_external_id` naming nobody is
    that line's error."""
    external = lookup.customer_ids_for_external_ids(
        data["customer_external_id"] for data in valid.values() if "customer_external_id" in data
    )
    resolved = {}
    for index, data in valid.items():
        if "customer" in data:
            resolved[index] = data["customer"]
        elif data["customer_external_id"] in external:
            resolved[index] = external[data["customer_external_id"]]
        else:
            errors[index] = {"customer_external_id": ["No customer with this external id."]}
    return resolved


def _repeated_lines(valid: dict[int, dict], errors: dict) -> None:
    """A line repeating an earlier line's (order_id, sku) in the same request is refused
    by its index: two different quantities for one line must not be silently dropped."""
    first: dict[tuple[str, str], int] = {}
    for index, data in valid.items():
        key = (data["order_id"], data["sku"])
        if key in first:
            errors[index] = {
                "order_id": [f"Line {first[key]} of this request has the same order_id and sku."]
            }
        else:
            first[key] = index


class PurchaseCreateApi(ApiView):
    required_scope = Scope.PURCHASES

    @extend_schema(
        operation_id="purchases_create",
        description=(
            "One purchase line, or a list of up to 1000. Idempotent on (order_id, sku): a "
            "line already stored counts as a duplicate; a line repeating an earlier line of "
            "the same request is invalid. An invalid line rejects the whole request "
            "(nothing is stored), naming its index. `items` gives each line's outcome."
        ),
        request=PolymorphicProxySerializer(
            component_name="PurchaseLineOrBatch",
            serializers=[
                PurchaseLineSerializer(),
                PurchaseLineSerializer(many=True, min_length=1, max_length=settings.API_MAX_BATCH),
            ],
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
        valid, errors = validate_lines(PurchaseLineSerializer, items)
        _repeated_lines(valid, errors)
        customers = _resolve_customers(valid, errors)
        lines = {
            index: PurchaseLineSerializer.to_line(data, customers[index])
            for index, data in valid.items()
            if index not in errors
        }
        positions = list(lines)
        if errors:
            # Report every bad line at once: the domain checks run on the well-formed ones.
            for position, line_errors in services.purchase_line_errors(
                list(lines.values())
            ).items():
                errors[positions[position]] = line_errors
            raise BatchValidationError(dict(sorted(errors.items())))
        # Every line is well-formed: the service's own checks (in its transaction) are the
        # domain checks, by position, which is then the index.
        result = services.record_purchases(lines=list(lines.values()), actor=request.auth.actor)
        return Response(
            {
                "created": result.created,
                "duplicates": result.duplicates,
                "items": [
                    {"index": index, "status": outcome}
                    for index, outcome in zip(lines, result.outcomes, strict=True)
                ],
            },
            status=status.HTTP_201_CREATED,
        )


class ReturnSerializer(StrictSerializer):
    order_id = serializers.CharField(max_length=100)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    returned_at = AwareDateTimeField()


class ReturnOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.CharField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Returned by this request.")
    returned_at = serializers.DateTimeField()
    bought_quantity = serializers.IntegerField(help_text="The line's quantity.")
    returned_quantity = serializers.IntegerField(help_text="Returned of the line so far.")


class ReturnCreateApi(ApiView):
    required_scope = Scope.PURCHASES

    @extend_schema(
        operation_id="returns_create",
        description=(
            "Record that items of a recorded purchase line (order_id, sku) came back. "
            "The returned total never exceeds the quantity bought. A fully returned line "
            "stops counting as evidence for recommendations. Not idempotent by itself: "
            "send an `Idempotency-Key` to retry safely."
        ),
        request=ReturnSerializer,
        responses={201: ReturnOutput, **BAD_REQUEST, **COMMON_ERRORS},
    )
    def post(self, request):
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        returned = services.record_return(**serializer.validated_data, actor=request.auth.actor)
        purchase = returned.purchase
        body = {
            "id": returned.pk,
            "order_id": purchase.order_id,
            "sku": serializer.validated_data["sku"],
            "quantity": returned.quantity,
            "returned_at": returned.returned_at,
            "bought_quantity": purchase.quantity,
            "returned_quantity": purchase.returned_quantity,
        }
        return Response(ReturnOutput(body).data, status=status.HTTP_201_CREATED)
