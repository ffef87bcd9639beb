"""A customer's service interactions (scope `customers`): list them (the notes are
decrypted, so every page is an audited read) and record one."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.views.customers import get_customer_or_404, record_read
from audit.models import AuditAction
from customers import selectors, services
from customers.models import InteractionChannel, InteractionKind
from vault.services import preload

NOTE_MAX = 5000


class InteractionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=InteractionChannel.values)
    kind = serializers.ChoiceField(choices=InteractionKind.values)
    note = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class InteractionInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=InteractionChannel.values)
    kind = serializers.ChoiceField(
        choices=InteractionKind.values, required=False, default=InteractionKind.OTHER
    )
    note = serializers.CharField(max_length=NOTE_MAX, help_text="Free text, stored encrypted.")
    occurred_at = serializers.DateTimeField(
        required=False, help_text="With a time zone; default: now."
    )

    def validate(self, attrs):
        errors = {
            name: ["Unknown field."] for name in sorted(set(self.initial_data) - set(self.fields))
        }
        raw = self.initial_data.get("occurred_at")
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
        if parsed is not None and parsed.tzinfo is None:
            errors["occurred_at"] = ["Give the time zone, e.g. 2026-11-20T10:00:00Z."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


PaginatedInteractions = inline_serializer(
    "PaginatedInteractionList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": InteractionOutput(many=True),
    },
)


class CustomerInteractionsApi(APIView):
    required_scope = Scope.CUSTOMERS

    @extend_schema(
        operation_id="customers_interactions_list",
        description="The customer's interactions, newest first, 50 per page.",
        parameters=[OpenApiParameter("page", int, description="Page number.")],
        responses={200: PaginatedInteractions, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        paginator = PageNumberPagination()
        queryset = selectors.interactions_of(customer.pk).order_by("-occurred_at", "-id")
        page = paginator.paginate_queryset(queryset, request, view=self)
        preload([customer.pk])
        body = InteractionOutput(page, many=True).data
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.interaction")
        return paginator.get_paginated_response(body)

    @extend_schema(
        operation_id="customers_interactions_create",
        request=InteractionInput,
        responses={201: InteractionOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        if not isinstance(request.data, dict):
            raise BadRequest("Expected a JSON object.")
        serializer = InteractionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        interaction = services.record_interaction(
            customer=customer, actor=request.auth.actor, **serializer.validated_data
        )
        body = InteractionOutput(interaction).data
        # The answer carries the note back: a read as well as a write.
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.interaction")
        return Response(body, status=status.HTTP_201_CREATED)
