"""The change feed (scope `customers`): which customers were created, updated, changed a
consent or were erased, after a cursor. Ids and kinds only, never personal values, so a
storefront stays in sync without reading profiles."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.errors import BadRequest
from api.models import Scope
from api.schema import BAD_REQUEST, COMMON_ERRORS
from api.views.base import ApiView
from audit.models import AuditAction, AuditEvent
from audit.services import record_events
from changes.models import ChangeKind
from changes.selectors import changes_after, parse_cursor

ChangeFeed = inline_serializer(
    "ChangeFeed",
    {
        "results": inline_serializer(
            "Change",
            {
                "cursor": serializers.CharField(help_text="This entry's position."),
                "customer": serializers.UUIDField(),
                "external_id": serializers.CharField(
                    allow_null=True,
                    help_text="The storefront's id; null once the customer is erased.",
                ),
                "change": serializers.ChoiceField(choices=ChangeKind.values),
                "at": serializers.DateTimeField(),
            },
            many=True,
        ),
        "next": serializers.CharField(
            help_text="Pass as `after` next time; the same cursor when nothing is new."
        ),
    },
)


def record_external_id_reads(request, page) -> None:
    """A page that names customers by their decrypted external id is a read of each of
    them, audited as a lookup is (one event per customer, one insert per page)."""
    named = dict.fromkeys(entry.customer for entry in page.results if entry.external_id)
    if not named:
        return
    with transaction.atomic():
        record_events(
            [
                AuditEvent(
                    actor=request.auth.actor,
                    action=AuditAction.CUSTOMER_VIEWED,
                    object_type="changes.change",
                    object_id=str(customer),
                    subject_id=customer,
                    purpose="account",
                    metadata={},
                )
                for customer in named
            ]
        )


class ChangeLimit(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=500)


class ChangeFeedApi(ApiView):
    required_scope = Scope.CUSTOMERS
    allowed_query = ("after", "limit")

    @extend_schema(
        operation_id="changes_list",
        description="Changes after the cursor `after` (omit it to start from the oldest "
        "entry kept), oldest first. Entries are kept `CHANGES_KEEP_DAYS` (30 by default).",
        parameters=[
            OpenApiParameter("after", str, description="The `next` of the previous page."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                description="Entries per page, 1 to 500 (more is a 400).",
            ),
        ],
        responses={200: ChangeFeed, **BAD_REQUEST, **COMMON_ERRORS},
    )
    def get(self, request):
        after = parse_cursor(request.query_params.get("after"))
        if after is None:
            raise BadRequest("`after` must be a cursor from this feed.")
        limit = ChangeLimit(data=request.query_params)
        limit.is_valid(raise_exception=True)
        page = changes_after(after, limit=limit.validated_data["limit"])
        record_external_id_reads(request, page)
        return Response(
            {
                "results": [
                    {
                        "cursor": entry.cursor,
                        "customer": str(entry.customer),
                        "external_id": entry.external_id,
                        "change": entry.change,
                        "at": serializers.DateTimeField().to_representation(entry.at),
                    }
                    for entry in page.results
                ],
                "next": page.next,
            }
        )
