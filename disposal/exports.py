"""Right of access and portability: everything held on a customer, as versioned JSON.

It walks the same registry that erasure walks, so what is exported and what is erased
cannot drift apart. The API and the portal both call `export_customer`.
"""

import json
import logging
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_access
from customers.models import Customer
from disposal.carriers import register_copy
from disposal.exceptions import UnknownSubject
from disposal.models import CarrierKind
from disposal.services import erasure_methods
from vault import registry
from vault.services import key_scope

EXPORT_FORMAT = "custodian.export/1"

logger = logging.getLogger("disposal.exports")


def gather(
    subject_id: uuid.UUID, categories: set[str] | None = None, errors: list | None = None
) -> dict:
    """{category: {"records": {table: [rows]}, "on_erasure": ..., "legal_hold": ...}}.
    Raises KeyDestroyed once the subject is erased. With an `errors` list, a row that
    fails decryption is exported without the unreadable value and named there."""
    methods, holds = erasure_methods()
    gathered: dict[str, dict] = {}
    with key_scope():
        for entry in registry.entries():
            if categories is not None and entry.category not in categories:
                continue
            section = gathered.setdefault(
                entry.category, {"records": {}, "on_erasure": methods[entry.category]}
            )
            if entry.category in holds:
                section["legal_hold"] = holds[entry.category]
            rows = entry.rows_of(subject_id).order_by("pk")
            section["records"][entry.label] = [entry.export_row(row, errors) for row in rows]
    # Plain JSON types (ids, times and amounts as strings), the same for API and files.
    return json.loads(json.dumps(gathered, cls=DjangoJSONEncoder))


def export_customer(
    *, customer_id, actor: str, purpose: str = "access request", copy_source: str = ""
) -> dict:
    """The export document. With `copy_source` ("portal", "dashboard", "api",
    "operator") the export leaves the system as a file, and is registered in the same
    transaction as a data carrier of kind exported-file with an expiry."""
    try:
        subject_id = uuid.UUID(str(customer_id))
    except ValueError as error:
        raise UnknownSubject(customer_id) from error
    if not Customer.objects.filter(pk=subject_id).exists():
        raise UnknownSubject(subject_id)
    errors: list[dict] = []
    with transaction.atomic():
        document = {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "customer_id": str(subject_id),
            "categories": gather(subject_id, errors=errors),
            # Rows the vault could not open (tampered or swapped ciphertext), by table,
            # row id and field: the export says so instead of failing or leaving them out.
            "errors": json.loads(json.dumps(errors, cls=DjangoJSONEncoder)),
        }
        for error in errors:
            logger.error(
                "Export for subject %s: %s row %s, field %s failed decryption.",
                subject_id,
                error["table"],
                error["id"],
                error["field"],
            )
        record_access(
            actor=actor,
            action=AuditAction.CUSTOMER_EXPORTED,
            subject_id=subject_id,
            object_type="customers.customer",
            purpose="access_request",
        )
        if copy_source:
            register_copy(
                kind=CarrierKind.EXPORTED_FILE,
                source=copy_source,
                holds=document["categories"].keys(),
                actor=actor,
            )
    return document
