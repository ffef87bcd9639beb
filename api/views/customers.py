"""Customers: create, exact lookup by email or external id, read, correct."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api import idempotency
from api.confirmation import CONFIRMATION_HELP, ConfirmationInput, with_pending
from api.errors import BadRequest
from api.lookup import customer_for_path
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS, CONFLICT, NOT_FOUND, FieldErrors
from api.strict import StrictBooleanField, StrictSerializer, validate_items
from api.views.base import ApiView
from audit.models import AuditAction
from audit.services import record_access
from consent.models import ConsentSource
from consent.selectors import granted_by_customer, pending_confirmations
from customers import onboarding, selectors, services
from customers.exceptions import DuplicateCustomer
from customers.models import Customer
from disposal.selectors import live_customer
from vault.services import preload

PROFILE = ("email", "full_name", "phone", "postal_address")
# Fields of the representation that PATCH cannot change.
FIXED = {"id", "external_id", "consents", "created_at", "updated_at"}


@extend_schema_field(serializers.DictField(child=serializers.BooleanField()))
class ConsentMapField(serializers.Field):
    def to_representation(self, value):
        return value


class CustomerOutput(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    phone = serializers.CharField(allow_null=True, help_text="E.164, e.g. +442079460000.")
    postal_address = serializers.CharField(allow_null=True)
    consents = ConsentMapField(source="*", help_text="Current choice per purpose.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["consents"] = self.context["consents"].get(instance.pk, {})
        return data


PaginatedCustomers = inline_serializer(
    "PaginatedCustomerList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": CustomerOutput(many=True),
    },
)


def render_customers(customers: list[Customer]) -> list[dict]:
    preload(customer.pk for customer in customers)
    consents = granted_by_customer([customer.pk for customer in customers])
    return CustomerOutput(customers, many=True, context={"consents": consents}).data


def customer_location(customer_id) -> str:
    return reverse("api:customer-detail", kwargs={"customer_id": customer_id})


def record_read(request, customer_id, action: AuditAction, object_type: str) -> None:
    """Audit a read of personal data under the calling key (never the data itself)."""
    record_access(
        actor=request.auth.actor,
        action=action,
        subject_id=customer_id,
        object_type=object_type,
        purpose="account",
    )


def get_customer_or_404(customer_id: str) -> Customer:
    """The live customer a path names (its UUID or `ext:<external_id>`, api.lookup):
    unknown, erased or being erased is 404 on every endpoint."""
    return customer_for_path(customer_id)


# RFC 9745: the GET lookup is deprecated since v1.2 (2026-11-26T00:00:00Z).
LOOKUP_DEPRECATED_AT = "@1795651200"


LOOKUP_KEYS = ("email", "external_id")


class CustomerLookupSerializer(StrictSerializer):
    email = serializers.CharField(required=False, max_length=254)
    external_id = serializers.CharField(required=False, max_length=100)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise BadRequest("Look up by exactly one of email or external_id.")
        return attrs


def lookup_response(request, view, filters: dict) -> Response:
    """The paginated list for an exact lookup; each customer in it is an audited read."""
    if "email" in filters:
        match = selectors.customer_by_email(filters["email"])
    else:
        match = selectors.customer_by_external_id(filters["external_id"])
    if match is not None:
        match = live_customer(match.pk)
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset([match] if match else [], request, view=view)
    body = render_customers(page)
    for customer in page:
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.customer")
    return paginator.get_paginated_response(body)


class CustomerCreateSerializer(StrictSerializer):
    external_id = serializers.CharField(max_length=100)
    email = serializers.CharField(max_length=254)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    postal_address = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=500
    )
    consents = serializers.DictField(
        child=StrictBooleanField(),
        help_text='Choices per purpose; `{"account": true}` is required.',
    )
    confirmation = ConfirmationInput(required=False, help_text=CONFIRMATION_HELP)


class CustomerCreatedOutput(CustomerOutput):
    pending_confirmations = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Only when some wait: purposes granted in the request that wait for "
        "the customer to follow the link mailed to them (`false` in `consents` until then).",
    )


@extend_schema_field(FieldErrors)
class FieldErrorsField(serializers.JSONField):
    pass


BulkItemResults = inline_serializer(
    "CustomerBulkItem",
    {
        "index": serializers.IntegerField(help_text="The item's position in the list, from 0."),
        "status": serializers.ChoiceField(
            choices=[status.value for status in onboarding.Status],
            help_text="`created`; `duplicate` (email or external id taken, by a stored "
            "customer or an earlier item); `invalid`; `not_stored` (valid, but the atomic "
            "batch was refused).",
        ),
        "id": serializers.UUIDField(
            required=False,
            help_text="The new customer, or the live customer a duplicate matches.",
        ),
        "location": serializers.CharField(required=False),
        "errors": FieldErrorsField(
            required=False,
            help_text="Field messages, as a single create's 400 or 409 would give.",
        ),
        "pending_confirmations": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="Created items only: grants waiting for the mailed link.",
        ),
    },
    many=True,
)
BulkResult = inline_serializer(
    "CustomerBulkResult",
    {
        "detail": serializers.CharField(required=False, help_text="Atomic refusals only."),
        "created": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "invalid": serializers.IntegerField(),
        "items": BulkItemResults,
    },
)


BULK_RESULT_REF = {"$ref": "#/components/schemas/CustomerBulkResult"}


def _atomic(request) -> bool:
    value = request.query_params.get("atomic", "false")
    if value not in ("true", "false"):
        raise ValidationError({"atomic": ["true or false."]})
    return value == "true"


def bulk_create_response(request, items: list) -> Response:
    """A list of customers: per-item results by index. 201 when every item was stored,
    207 when some were stored and some refused; 400 when none was stored (409 when every
    refusal is a duplicate). With ?atomic=true any refusal stores nothing."""
    atomic = _atomic(request)
    if not items:
        raise BadRequest("Send at least one customer.")
    limit = settings.API_MAX_CUSTOMER_BATCH
    if len(items) > limit:
        raise BadRequest(f"Send at most {limit} customers per request.")
    checked, invalid = validate_items(CustomerCreateSerializer, items)
    valid, positions = list(checked.values()), list(checked)
    results = {
        index: onboarding.ItemResult(index, onboarding.Status.INVALID, errors=errors)
        for index, errors in invalid.items()
    }
    if atomic and invalid:
        results |= {i: onboarding.ItemResult(i, onboarding.Status.NOT_STORED) for i in positions}
    else:
        stored = onboarding.create_customers(
            valid, actor=request.auth.actor, source=ConsentSource.API, atomic=atomic
        )
        for position, result in zip(positions, stored, strict=True):
            result.index = position
            results[position] = result
    ordered = [results[index] for index in range(len(items))]
    pending = pending_confirmations(
        [result.id for result in ordered if result.status == onboarding.Status.CREATED]
    )
    counts = {
        name: sum(result.status == kind for result in ordered)
        for name, kind in (
            ("created", onboarding.Status.CREATED),
            ("duplicates", onboarding.Status.DUPLICATE),
            ("invalid", onboarding.Status.INVALID),
        )
    }
    body = {**counts, "items": [_item(result, pending) for result in ordered]}
    if counts["created"] == len(items):
        code = status.HTTP_201_CREATED
    elif counts["created"]:
        code = status.HTTP_207_MULTI_STATUS
    else:
        body = {"detail": "Nothing was stored: some items were refused.", **body}
        only_duplicates = counts["invalid"] == 0
        code = status.HTTP_409_CONFLICT if only_duplicates else status.HTTP_400_BAD_REQUEST
    # Ids, statuses and field messages only: the stored answer needs no customer's key,
    # but it names each customer it lists (and goes with the erasure of any of them).
    named = [result.id for result in ordered if result.id is not None]
    return idempotency.names(Response(body, status=code), named)


def _item(result: onboarding.ItemResult, pending: dict) -> dict:
    item = {"index": result.index, "status": result.status.value}
    if result.id is not None:
        item["id"] = str(result.id)
        item["location"] = customer_location(result.id)
    if result.errors:
        item["errors"] = result.errors
    if pending.get(result.id) and result.status == onboarding.Status.CREATED:
        item["pending_confirmations"] = pending[result.id]
    return item


class CustomerListCreateApi(ApiView):
    required_scope = Scope.CUSTOMERS
    allowed_query = (*LOOKUP_KEYS, "page", "atomic")

    CustomerCreateSerializer = CustomerCreateSerializer

    @extend_schema(
        operation_id="customers_create",
        description=(
            "One customer, or a list of up to 500 (bulk onboarding). A list answers each "
            "item's outcome by index: 201 when all were stored, 207 when some were stored "
            "and some refused, 400 when none was stored (409 when every refusal is a "
            "duplicate). With `?atomic=true` one refused item stores nothing. Duplicates "
            "are found by email and external id, against stored customers and earlier "
            "items of the list. v1.3: a grant of a double opt-in purpose "
            "(`CONSENT_DOUBLE_OPT_IN`, default `marketing_email`) without `confirmation` "
            "is not in force: the customer is mailed a link, `consents` shows it `false` "
            "and `pending_confirmations` lists it."
        ),
        parameters=[
            OpenApiParameter(
                "atomic",
                {"type": "boolean", "default": False},
                description="Lists only: store all items or none.",
            )
        ],
        request=PolymorphicProxySerializer(
            component_name="CustomerOrBatch",
            serializers=[
                CustomerCreateSerializer(),
                CustomerCreateSerializer(
                    many=True, min_length=1, max_length=settings.API_MAX_CUSTOMER_BATCH
                ),
            ],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            201: PolymorphicProxySerializer(
                component_name="CustomerOrBulkResult",
                serializers=[CustomerCreatedOutput, BulkResult],
                resource_type_field_name=None,
            ),
            207: OpenApiResponse(BulkResult, description="A list with refused items."),
            400: OpenApiResponse(
                {"anyOf": [FieldErrors, BULK_RESULT_REF]},
                description="Invalid fields or malformed JSON; for a list of which "
                "nothing was stored, the per-item results.",
            ),
            409: OpenApiResponse(
                {"anyOf": [FieldErrors, BULK_RESULT_REF]},
                description="Another customer has this email or external_id; for a list "
                "of which nothing was stored and every refusal is a duplicate, the per-item "
                "results.",
            ),
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        if isinstance(request.data, list):
            return bulk_create_response(request, request.data)
        if "atomic" in request.query_params:
            raise ValidationError({"atomic": ["Only for a list of customers."]})
        serializer = self.CustomerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            customer = services.create_customer(
                **serializer.validated_data, actor=request.auth.actor, source=ConsentSource.API
            )
        except DuplicateCustomer as duplicate:
            existing = (
                selectors.customer_by_external_id(serializer.validated_data["external_id"])
                if duplicate.field == "external_id"
                else None
            )
            if existing is None or live_customer(existing.pk) is None:
                raise
            # A retried create: name the customer it made, so the storefront can go on.
            conflict = Response(
                {
                    "detail": "A customer with this external id already exists.",
                    "id": str(existing.pk),
                    **duplicate.message_dict,
                },
                status=status.HTTP_409_CONFLICT,
                headers={"Location": customer_location(existing.pk)},
            )
            return idempotency.names(conflict, [existing.pk])
        location = customer_location(customer.pk)
        body = with_pending(
            render_customers([customer])[0], pending_confirmations([customer.pk])[customer.pk]
        )
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.customer")
        response = Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
        return idempotency.concerns(response, customer.pk)

    @extend_schema(
        operation_id="customers_lookup",
        deprecated=True,
        description="Deprecated: puts personal data in the URL. Use "
        "`POST /api/v1/customers/lookup/`. Answers carry a `Deprecation` header.",
        parameters=[
            OpenApiParameter("email", str, description="Exact email (case-insensitive)."),
            OpenApiParameter("external_id", str, description="The storefront's id."),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number."),
        ],
        responses={200: PaginatedCustomers, **BAD_REQUEST, **COMMON_ERRORS},
    )
    def get(self, request):
        if "atomic" in request.query_params:
            raise ValidationError({"atomic": ["Unknown query parameter."]})
        page = request.query_params.get("page")
        if page is not None and not (page.isascii() and page.isdigit() and int(page) > 0):
            raise ValidationError({"page": ["A page number: 1, 2, 3..."]})
        filters = CustomerLookupSerializer(
            data={
                name: request.query_params[name]
                for name in LOOKUP_KEYS
                if name in request.query_params
            }
        )
        filters.is_valid(raise_exception=True)
        response = lookup_response(request, self, filters.validated_data)
        # v1 clients keep working; personal data in URLs ends up in logs, so move on.
        response["Deprecation"] = LOOKUP_DEPRECATED_AT
        response["Link"] = f'<{reverse("api:customer-lookup")}>; rel="successor-version"'
        return response


class CustomerLookupApi(ApiView):
    """Exact lookup with the email or external id in the body, never in the URL."""

    required_scope = Scope.CUSTOMERS
    idempotent = False  # a read: running it again is safe, replaying it would be stale

    @extend_schema(
        operation_id="customers_lookup_post",
        description="Exact lookup by email (case-insensitive) or external id, sent in the "
        "body so that no personal data travels in URLs or access logs. Answers the same "
        "paginated list as the deprecated `GET /api/v1/customers/?email=`.",
        request=CustomerLookupSerializer,
        responses={200: PaginatedCustomers, **BAD_REQUEST, **COMMON_ERRORS},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise BadRequest("Expected a JSON object.")
        filters = CustomerLookupSerializer(data=request.data)
        filters.is_valid(raise_exception=True)
        return lookup_response(request, self, filters.validated_data)


class CustomerDetailApi(ApiView):
    required_scope = Scope.CUSTOMERS

    class CustomerUpdateSerializer(StrictSerializer):
        email = serializers.CharField(required=False, max_length=254)
        full_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
        phone = serializers.CharField(required=False, allow_null=True, allow_blank=True)
        postal_address = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=500
        )

        def to_internal_value(self, data):
            try:
                return super().to_internal_value(data)
            except ValidationError as error:
                # Known fields that are not editable say so; others are unknown.
                for name in FIXED & set(error.detail):
                    error.detail[name] = ["This field cannot be changed here."]
                raise

    @extend_schema(
        operation_id="customers_retrieve",
        responses={200: CustomerOutput, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        body = render_customers([customer])[0]
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.customer")
        return Response(body)

    @extend_schema(
        operation_id="customers_update",
        request=CustomerUpdateSerializer,
        responses={200: CustomerOutput, **BAD_REQUEST, **NOT_FOUND, 409: CONFLICT, **COMMON_ERRORS},
    )
    def patch(self, request, customer_id):
        customer = get_customer_or_404(customer_id)
        if not isinstance(request.data, dict):
            raise BadRequest("Expected a JSON object.")
        serializer = self.CustomerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_customer(
            customer=customer, actor=request.auth.actor, **serializer.validated_data
        )
        body = render_customers([customer])[0]
        # The answer carries the profile: a read, even when nothing changed.
        record_read(request, customer.pk, AuditAction.CUSTOMER_VIEWED, "customers.customer")
        return Response(body)
