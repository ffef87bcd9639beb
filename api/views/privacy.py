"""Privacy (scope `privacy`): export everything held on a customer, request erasure,
follow the erasure and read its certificate."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import idempotency
from api.lookup import customer_id_for_path
from api.models import Scope
from api.schema import COMMON_ERRORS, NOT_FOUND
from api.strict import unknown_field_errors
from api.views.base import ApiView
from api.views.customers import get_customer_or_404
from disposal import selectors, services
from disposal.exports import export_customer
from disposal.models import ErasureSource, ErasureStatus

ExportOutput = inline_serializer(
    "CustomerExport",
    {
        "format": serializers.CharField(help_text='"custodian.export/1"'),
        "generated_at": serializers.DateTimeField(),
        "customer_id": serializers.UUIDField(),
        "categories": serializers.DictField(
            child=serializers.DictField(),
            help_text="Per data category: `records` per table, `on_erasure` "
            "(deleted or pseudonymized) and any `legal_hold`.",
        ),
        "errors": serializers.ListField(
            child=serializers.DictField(),
            help_text="Values that could not be decrypted (an altered row), each named by "
            "`table`, `id` and `field`; empty when everything was read.",
        ),
    },
)


class CertificateOutput(serializers.Serializer):
    id = serializers.UUIDField()
    erasure_request = serializers.UUIDField()
    subject_pseudonym = serializers.UUIDField()
    categories = serializers.ListField(child=serializers.CharField())
    method = serializers.DictField(child=serializers.CharField())
    rows_removed = serializers.DictField(child=serializers.IntegerField())
    rows_pseudonymized = serializers.DictField(child=serializers.IntegerField())
    legal_holds = serializers.DictField(child=serializers.DictField())
    key_destroyed_at = serializers.DateTimeField(allow_null=True)
    backup_horizon = serializers.DateField(allow_null=True)
    processors_notified = serializers.ListField(child=serializers.DictField())
    issued_at = serializers.DateTimeField()


class ErasureOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ErasureStatus.choices)
    requested_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    certificate = CertificateOutput(allow_null=True)


ErasureAccepted = inline_serializer(
    "ErasureAccepted",
    {"id": serializers.UUIDField(), "status": serializers.ChoiceField(ErasureStatus.choices)},
)


class CustomerExportApi(ApiView):
    required_scope = Scope.PRIVACY

    @extend_schema(
        operation_id="customers_export",
        responses={200: ExportOutput, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        document = export_customer(
            customer_id=customer.pk, actor=request.auth.actor, copy_source="api"
        )
        return Response(document)


class CustomerErasureApi(ApiView):
    required_scope = Scope.PRIVACY

    @extend_schema(
        operation_id="customers_erase",
        request=None,
        responses={
            202: OpenApiResponse(ErasureAccepted, description="Queued."),
            200: OpenApiResponse(
                ErasureAccepted, description="Asked before: the earlier request, open or done."
            ),
            **NOT_FOUND,
            **COMMON_ERRORS,
        },
    )
    def post(self, request, customer_id):
        unknown = unknown_field_errors(request.data, known=())
        if unknown:
            raise ValidationError(unknown)
        # Asking again finds the first request (open, failed or done), never a 404.
        subject_id = customer_id_for_path(customer_id)
        erasure = selectors.erasure_request_of_subject(subject_id) if subject_id else None
        answer = status.HTTP_200_OK
        if erasure is None:
            customer = get_customer_or_404(customer_id)
            erasure = services.request_erasure(
                customer_id=customer.pk, source=ErasureSource.API, actor=request.auth.actor
            )
            answer = status.HTTP_202_ACCEPTED
        location = reverse("api:erasure-request-detail", kwargs={"request_id": erasure.pk})
        response = Response(
            {"id": str(erasure.pk), "status": erasure.status},
            status=answer,
            headers={"Location": location},
        )
        return idempotency.in_clear(response)  # ids only: replayed after the erasure too


class ErasureRequestDetailApi(ApiView):
    required_scope = Scope.PRIVACY

    @extend_schema(
        operation_id="erasure_requests_retrieve",
        responses={200: ErasureOutput, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, request_id):
        erasure = selectors.erasure_request_get(request_id)
        if erasure is None:
            raise NotFound("No erasure request with this id.")
        return Response(
            ErasureOutput(
                {
                    "id": erasure.pk,
                    "status": erasure.status,
                    "requested_at": erasure.requested_at,
                    "completed_at": erasure.completed_at,
                    "certificate": selectors.certificate_of(erasure),
                }
            ).data
        )
