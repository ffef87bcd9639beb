"""Consents of a customer (read, change) and the purposes with their current notices."""

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api import idempotency
from api.confirmation import (
    CONFIRMATION_HELP,
    ConfirmationInput,
    PendingConfirmation,
    pending_answer,
)
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.strict import StrictBooleanField, StrictSerializer
from api.views.base import ApiView
from api.views.customers import get_customer_or_404, record_read
from audit.models import AuditAction
from consent.confirmations import ask_to_confirm
from consent.models import ConsentSource, Purpose
from consent.selectors import current_consents, current_notices, has_consent
from consent.services import ACCOUNT, needs_confirmation, set_consent
from disposal import selectors as disposal_selectors
from disposal import services as disposal_services
from disposal.models import ErasureSource


class ConsentStatusSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    notice_version = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def render_consents(customer_id) -> dict:
    return {
        code: {
            "granted": state.granted,
            "notice_version": None if state.notice_version is None else str(state.notice_version),
            "updated_at": ConsentStatusSerializer()
            .fields["updated_at"]
            .to_representation(state.updated_at)
            if state.updated_at
            else None,
        }
        for code, state in current_consents(customer_id).items()
    }


# The body is a map keyed by purpose code, which a serializer cannot describe.
CONSENT_STATE = {
    "type": "object",
    "properties": {
        "granted": {"type": "boolean"},
        "notice_version": {"type": "string", "nullable": True},
        "updated_at": {"type": "string", "format": "date-time", "nullable": True},
    },
    "required": ["granted", "notice_version", "updated_at"],
}
ConsentChanged = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "erasure": {
                "type": "object",
                "description": "Only when `account` was withdrawn: the erasure request it "
                "started (also in `Location`).",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "status": {"type": "string"},
                },
                "required": ["id", "status"],
            }
        },
        "additionalProperties": CONSENT_STATE,
    },
    description='{"<purpose>": {"granted", "notice_version", "updated_at"}, ...}, plus '
    '`"erasure": {"id", "status"}` when `account` was withdrawn.',
)
ConsentMap = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "granted": {"type": "boolean"},
                "notice_version": {"type": "string", "nullable": True},
                "updated_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            "required": ["granted", "notice_version", "updated_at"],
        },
    },
    description='{"<purpose>": {"granted", "notice_version", "updated_at"}, ...}',
)


class CustomerConsentsApi(ApiView):
    required_scope = Scope.CONSENTS

    class ConsentChangeSerializer(StrictSerializer):
        purpose = serializers.SlugField(max_length=50)
        granted = StrictBooleanField()
        confirmation = ConfirmationInput(required=False, help_text=CONFIRMATION_HELP)

        def validate(self, attrs):
            if "confirmation" in attrs and not attrs["granted"]:
                raise serializers.ValidationError(
                    {"confirmation": ["Only with a grant: a withdrawal takes effect at once."]}
                )
            return attrs

    @extend_schema(
        operation_id="consents_retrieve",
        responses={200: ConsentMap, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        record_read(request, customer.pk, AuditAction.CONSENTS_VIEWED, "consent.state")
        return Response(render_consents(customer.pk))

    @extend_schema(
        operation_id="consents_change",
        description="Grant or withdraw one purpose. Withdrawing `account` starts an erasure, "
        "so it needs the `privacy` scope as well as `consents` (403 otherwise). v1.3: "
        "granting a purpose needing double opt-in (`CONSENT_DOUBLE_OPT_IN`, default "
        "`marketing_email`) without `confirmation` answers 202 and mails the customer a "
        "link; it takes effect when they follow it (a grant already in force is 201). "
        "Withdrawals take effect at once.",
        request=ConsentChangeSerializer,
        responses={
            201: ConsentChanged,
            202: PendingConfirmation,
            **BAD_REQUEST,
            **NOT_FOUND,
            **COMMON_ERRORS,
        },
    )
    def post(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        serializer = self.ConsentChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if (
            serializer.validated_data["purpose"] == ACCOUNT
            and not serializer.validated_data["granted"]
            and not request.auth.allows(Scope.PRIVACY)
        ):
            # Withdrawing `account` erases the customer: the `privacy` scope's power.
            raise PermissionDenied(
                "Withdrawing `account` erases the customer: this API key lacks the `privacy` scope."
            )
        purpose, granted = (
            serializer.validated_data["purpose"],
            serializer.validated_data["granted"],
        )
        confirmation = serializer.validated_data.get("confirmation")
        if (
            granted
            and confirmation is None
            and needs_confirmation(purpose)
            and not has_consent(customer.pk, purpose)
        ):
            ask_to_confirm(
                customer=customer,
                purpose=purpose,
                source=ConsentSource.API,
                actor=request.auth.actor,
            )
            response = Response(pending_answer(purpose), status=status.HTTP_202_ACCEPTED)
            return idempotency.concerns(response, customer.pk)
        erasure, headers = None, {}
        # One transaction: the answer is rendered before an eager erasure can run.
        with transaction.atomic():
            set_consent(
                customer=customer,
                purpose=purpose,
                granted=granted,
                source=ConsentSource.API,
                actor=request.auth.actor,
                confirmation=confirmation,
            )
            if purpose == ACCOUNT and not granted:
                # The erasure the withdrawal starts, so the storefront can follow it.
                erasure = disposal_selectors.erasure_request_of_subject(
                    customer.pk
                ) or disposal_services.request_erasure(
                    customer_id=customer.pk,
                    source=ErasureSource.CONSENT,
                    actor=request.auth.actor,
                )
            body = render_consents(customer.pk)
        if erasure is not None:
            body["erasure"] = {"id": str(erasure.pk), "status": erasure.status}
            headers["Location"] = reverse(
                "api:erasure-request-detail", kwargs={"request_id": erasure.pk}
            )
        response = Response(body, status=status.HTTP_201_CREATED, headers=headers)
        return idempotency.concerns(response, customer.pk)


class PurposeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    lawful_basis = serializers.CharField()
    notice_version = serializers.CharField()
    notice_text = serializers.CharField()


class PurposeListApi(ApiView):
    required_scope = Scope.CONSENTS

    @extend_schema(operation_id="purposes_list", responses={200: PurposeSerializer(many=True)})
    def get(self, request):
        notices = current_notices()
        purposes = [
            {
                "code": purpose.code,
                "name": purpose.name,
                "lawful_basis": purpose.lawful_basis,
                "notice_version": str(notices[purpose.code].version),
                "notice_text": notices[purpose.code].text,
            }
            for purpose in Purpose.objects.all()
            if purpose.code in notices
        ]
        return Response(PurposeSerializer(purposes, many=True).data)
