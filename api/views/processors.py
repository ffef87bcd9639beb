"""Processors and disclosures (scope `privacy`): which processors the storefront may
share data with, under which agreement and for which data categories; and the record
that it did share a customer's data, so that an erasure reaches that processor (signed
webhook) as well."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.views.customers import get_customer_or_404
from disposal import processors
from disposal.models import Processor


class ProcessorOutput(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="Data categories the agreement covers."
    )
    agreement_reference = serializers.CharField()
    agreement_signed_on = serializers.DateField()
    agreement_ends_on = serializers.DateField(allow_null=True)
    active = serializers.BooleanField()
    in_force = serializers.SerializerMethodField(
        help_text="Active, signed and not ended: disclosures are accepted today."
    )

    def get_in_force(self, processor) -> bool:
        return not processors.agreement_errors(processor, set())


PaginatedProcessors = inline_serializer(
    "PaginatedProcessorList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ProcessorOutput(many=True),
    },
)


class DisclosureInput(serializers.Serializer):
    processor = serializers.SlugField(help_text="The processor's slug (GET /api/v1/processors/).")
    categories = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=50
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return attrs


class DisclosureOutput(serializers.Serializer):
    id = serializers.IntegerField()
    processor = serializers.SlugField(source="processor.slug")
    categories = serializers.ListField(child=serializers.CharField())
    disclosed_at = serializers.DateTimeField()


class ProcessorListApi(APIView):
    required_scope = Scope.PRIVACY

    @extend_schema(
        operation_id="processors_list",
        parameters=[OpenApiParameter("page", int, description="Page number.")],
        responses={200: PaginatedProcessors, **COMMON_ERRORS},
    )
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(Processor.objects.order_by("name"), request, self)
        return paginator.get_paginated_response(ProcessorOutput(page, many=True).data)


class CustomerDisclosuresApi(APIView):
    required_scope = Scope.PRIVACY

    @extend_schema(
        operation_id="customers_disclosures_create",
        description="Record that the storefront shared these data categories of the "
        "customer with a registered processor. Refused (400) unless the processor's "
        "agreement is in force and covers every category, and while the customer's "
        "processing is restricted. An erasure of the customer then notifies the processor.",
        request=DisclosureInput,
        responses={201: DisclosureOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        if not isinstance(request.data, dict):
            raise BadRequest("Expected a JSON object.")
        serializer = DisclosureInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        processor = Processor.objects.filter(slug=serializer.validated_data["processor"]).first()
        if processor is None:
            raise serializers.ValidationError({"processor": ["No processor with this slug."]})
        disclosure = processors.record_disclosure(
            processor=processor,
            customer_id=customer.pk,
            categories=serializer.validated_data["categories"],
            actor=request.auth.actor,
        )
        return Response(DisclosureOutput(disclosure).data, status=status.HTTP_201_CREATED)
