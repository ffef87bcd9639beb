"""Leads: create with the purposes agreed to, read, update. Scope `leads`.

A lead is stored only with at least one purpose granted; purposes needing double opt-in
(marketing by email) are mailed a confirmation link and granted when it is followed.
Whether an address is a customer's is said only to a key that may look customers up
(scope `customers`): any other key gets the same 202 receipt for every address.
Built on the shared base (api/views/base.py) like every API view (v1.3): strict JSON
types, unknown fields and query parameters refused, `Idempotency-Key` honoured.
"""

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api import idempotency
from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, NOT_FOUND
from api.strict import StrictBooleanField, StrictIntegerField, StrictSerializer
from api.views.base import ApiView
from audit.models import AuditAction
from audit.services import record_access
from leads import selectors, services
from leads.mail import send_confirmations
from leads.models import CaptureMethod, Lead, LeadStatus
from vault.services import key_scope


class LeadConsentOutput(serializers.Serializer):
    purpose = serializers.CharField(source="purpose_id")
    notice_version = serializers.IntegerField(source="notice.version")
    granted = serializers.BooleanField()
    given_at = serializers.DateTimeField()
    method = serializers.CharField()
    channel = serializers.CharField()


class LeadOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.CharField(allow_null=True)
    full_name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True, help_text="E.164.")
    company = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    score = serializers.IntegerField()
    consents = LeadConsentOutput(many=True, help_text="The evidence of each choice.")
    pending_confirmations = serializers.ListField(
        child=serializers.CharField(), help_text="Purposes waiting for the emailed link."
    )
    created_at = serializers.DateTimeField()
    last_contact_at = serializers.DateTimeField()


class LeadReceiptOutput(serializers.Serializer):
    pending_confirmations = serializers.ListField(
        child=serializers.CharField(),
        help_text="Purposes ticked that need the emailed link; the mail went to the address.",
    )


def render_lead(request, lead: Lead) -> dict:
    """The lead as answered; an audited read of its personal data."""
    lead.pending_confirmations = list(
        lead.confirmations.filter(confirmed_at__isnull=True).values_list("purpose_id", flat=True)
    )
    body = LeadOutput(lead).data
    record_access(
        actor=request.auth.actor,
        action=AuditAction.LEAD_VIEWED,
        subject_id=lead.pk,
        object_type="leads.lead",
        purpose="leads",
    )
    return body


def _object(request) -> dict:
    if not isinstance(request.data, dict):
        raise BadRequest("Expected a JSON object.")
    return request.data


class LeadCreateApi(ApiView):
    required_scope = Scope.LEADS

    class LeadCreateSerializer(StrictSerializer):
        email = serializers.CharField(required=False, allow_null=True, max_length=254)
        full_name = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=200
        )
        phone = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=40
        )
        company = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=500
        )
        source = serializers.SlugField(max_length=100, help_text="e.g. `shop-newsletter`.")
        consents = serializers.DictField(
            child=StrictBooleanField(),
            help_text='Choices per purpose, e.g. `{"marketing_email": true}`; at least one '
            "true, or nothing is stored.",
        )
        notice_versions = serializers.DictField(
            child=StrictIntegerField(min_value=1, max_value=100000),
            required=False,
            help_text="The notice version shown per purpose (default: the current one).",
        )

    @extend_schema(
        operation_id="leads_create",
        request=LeadCreateSerializer,
        responses={
            201: LeadOutput,
            200: OpenApiResponse(LeadOutput, description="Merged into the existing lead."),
            **BAD_REQUEST,
            202: OpenApiResponse(
                LeadReceiptOutput,
                description="A key without the `customers` scope gets this receipt for "
                "every address, so that it learns nothing of who is a customer.",
            ),
            409: OpenApiResponse(
                description="The address is a customer's; no lead was stored (keys with "
                "the `customers` scope only).",
                response={"type": "object", "additionalProperties": True},
            ),
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        data = _object(request)
        serializer = self.LeadCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        contact = {name: values.get(name) for name in ("email", "full_name", "phone", "company")}
        purposes = [code for code, granted in values["consents"].items() if granted]
        with key_scope():
            with transaction.atomic():
                capture = services.capture_lead(
                    contact=contact,
                    purposes=purposes,
                    source=values["source"],
                    method=CaptureMethod.API,
                    channel=request.auth.prefix,
                    actor=request.auth.actor,
                    notice_versions=values.get("notice_versions") or {},
                )
            if contact["email"]:
                send_confirmations(request, to=contact["email"], capture=capture)
            if not request.auth.allows(Scope.CUSTOMERS):
                # A key that may not look customers up learns nothing of who is one: the
                # same receipt for every address (issue 25 item 7).
                return Response(
                    {"pending_confirmations": services.mailed_purposes(purposes)},
                    status=status.HTTP_202_ACCEPTED,
                )
            if capture.outcome == services.Outcome.CUSTOMER:
                return Response(
                    {"email": ["This address is a customer's; no lead was stored."]},
                    status=status.HTTP_409_CONFLICT,
                )
            with transaction.atomic():
                body = render_lead(request, Lead.objects.get(pk=capture.lead.pk))
        created = capture.outcome == services.Outcome.CREATED
        response = Response(
            body,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": reverse("api:lead-detail", kwargs={"lead_id": capture.lead.pk})},
        )
        # The stored answer holds the lead's personal data: sealed under the lead's key.
        return idempotency.sealed_for(response, capture.lead.pk)


class LeadDetailApi(ApiView):
    required_scope = Scope.LEADS

    class LeadUpdateSerializer(StrictSerializer):
        email = serializers.CharField(required=False, allow_null=True, max_length=254)
        full_name = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=200
        )
        phone = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=40
        )
        company = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=500
        )
        status = serializers.ChoiceField(
            required=False,
            choices=[value for value in LeadStatus.values if value != LeadStatus.CONVERTED],
        )

    def _lead(self, lead_id) -> Lead:
        lead = selectors.live_lead(lead_id)
        if lead is None:
            raise NotFound("No lead with this id.")
        return lead

    @extend_schema(
        operation_id="leads_retrieve",
        responses={200: LeadOutput, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, lead_id):
        lead = self._lead(lead_id)
        with key_scope(), transaction.atomic():
            return Response(render_lead(request, lead))

    @extend_schema(
        operation_id="leads_update",
        request=LeadUpdateSerializer,
        responses={200: LeadOutput, **BAD_REQUEST, **NOT_FOUND, **COMMON_ERRORS},
    )
    def patch(self, request, lead_id):
        lead = self._lead(lead_id)
        data = _object(request)
        serializer = self.LeadUpdateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        new_status = values.pop("status", None)
        with key_scope(), transaction.atomic():
            if values:
                services.update_lead(lead=lead, actor=request.auth.actor, **values)
            if new_status:
                services.set_lead_status(lead=lead, status=new_status, actor=request.auth.actor)
            return Response(render_lead(request, Lead.objects.get(pk=lead.pk)))
