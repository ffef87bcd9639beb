"""Recommendations: a customer's (personal when they consented) and also-bought."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.views.base import ApiView
from api.views.customers import get_customer_or_404, record_read
from audit.models import AuditAction
from customers.models import Product
from recommendations import selectors, services

LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
    description="How many results, 1 to 100 (default 10).",
)


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=100)


class PersonalItem(serializers.Serializer):
    sku = serializers.CharField()
    score = serializers.FloatField()
    because = serializers.ListField(
        child=serializers.CharField(), help_text="Skus the customer bought that led to it."
    )
    reason = serializers.ChoiceField(
        choices=[selectors.BOUGHT_TOGETHER, selectors.POPULAR],
        help_text="`bought_together`: the skus in `because` led to it; "
        "`popular`: popular with other customers (fills the list).",
    )


PersonalOutput = inline_serializer(
    "CustomerRecommendations",
    {
        "personalized": serializers.BooleanField(
            help_text="False: popular items (no `personalization` consent or no history)."
        ),
        "results": PersonalItem(many=True),
    },
)
AlsoBoughtOutput = inline_serializer(
    "AlsoBought",
    {
        "results": inline_serializer(
            "AlsoBoughtItem",
            {"sku": serializers.CharField(), "score": serializers.FloatField()},
            many=True,
        )
    },
)


def _limit(request) -> int:
    serializer = LimitSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["limit"]


class CustomerRecommendationsApi(ApiView):
    required_scope = Scope.RECOMMENDATIONS
    allowed_query = ("limit",)

    @extend_schema(
        operation_id="customers_recommendations",
        parameters=[LIMIT],
        responses={200: PersonalOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, customer_id):
        limit = _limit(request)
        customer = get_customer_or_404(customer_id)
        found = selectors.recommendations_for(customer.pk, limit=limit)
        skus = [item.sku for item in found.results]
        services.record_shown(customer_id=customer.pk, skus=skus, personalized=found.personalized)
        record_read(
            request,
            customer.pk,
            AuditAction.RECOMMENDATIONS_VIEWED,
            "recommendations.recommendation",
        )
        return Response(
            {
                "personalized": found.personalized,
                "results": [
                    {
                        "sku": item.sku,
                        "score": item.score,
                        "because": list(item.because),
                        "reason": item.reason,
                    }
                    for item in found.results
                ],
            }
        )


class AlsoBoughtApi(ApiView):
    required_scope = Scope.RECOMMENDATIONS
    allowed_query = ("limit",)

    @extend_schema(
        operation_id="products_also_bought",
        parameters=[LIMIT],
        responses={200: AlsoBoughtOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, sku):
        limit = _limit(request)
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise NotFound("No product with this sku.")
        found = selectors.also_bought(product, limit=limit)
        return Response({"results": [{"sku": item.sku, "score": item.score} for item in found]})
