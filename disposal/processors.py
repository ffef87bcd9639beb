"""Processors (sub-suppliers): data goes to one only under an active agreement that
covers every category sent, and each disclosure is recorded so that erasures reach it.
Erasure notices go out through the outbox as signed webhooks, retried with backoff.

Notices follow the Standard Webhooks specification (webhook-id, webhook-timestamp,
webhook-signature "v1,<base64>"), signed with the `standardwebhooks` package, so a
processor verifies them with that specification's library in its own language. The id
is the delivery's, the same on every retry, so a receiver can drop repeats. A secret is
`whsec_<base64>`; a secret stored in another form is used as `whsec_` + base64 of its
bytes (docs/storefront/webhooks.md). The older X-Custodian-* headers are still sent for one release.
"""

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from standardwebhooks.webhooks import Webhook

from audit.models import AuditAction
from audit.services import record_event
from customers.models import Customer
from customers.selectors import is_restricted
from disposal.carriers import register_copy
from disposal.exports import gather
from disposal.models import CarrierKind, DeliveryStatus, Disclosure, Processor, WebhookDelivery
from disposal.webhook_targets import post_webhook, webhook_url_errors
from outbox.services import enqueue
from vault import registry
from vault.services import SYSTEM_SUBJECT, ensure_data_key

# Deprecated (kept one release beside the Standard Webhooks headers).
SIGNATURE_HEADER = "X-Custodian-Signature"
TIMESTAMP_HEADER = "X-Custodian-Timestamp"
DELIVERY_HEADER = "X-Custodian-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def new_webhook_secret() -> str:
    """A fresh secret in the Standard Webhooks form: whsec_ + 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def standard_secret(secret: str) -> str:
    """The secret as Standard Webhooks libraries take it."""
    if secret.startswith(SECRET_PREFIX):
        return secret
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def standard_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict:
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    signature = Webhook(standard_secret(secret)).sign(message_id, signed_at, body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def unknown_categories(categories) -> list[str]:
    known = {entry.category for entry in registry.entries()}
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        return ['Give the data categories as a list of names, e.g. ["profile"].']
    return [f"Unknown data category: {c}." for c in sorted(set(categories) - known)]


@transaction.atomic
def save_processor(*, processor: Processor, webhook_secret: str | None = None) -> Processor:
    """Create or update a processor; the webhook secret is sealed under the system key."""
    ensure_data_key(subject_id=SYSTEM_SUBJECT)
    errors = {}
    if unknown := unknown_categories(processor.categories):
        errors["categories"] = unknown
    if url_errors := webhook_url_errors(processor.webhook_url):
        errors["webhook_url"] = url_errors
    if errors:
        raise ValidationError(errors)
    if not processor.slug:
        processor.slug = slugify(processor.name)[:50]
    if webhook_secret is not None:
        processor.webhook_secret = webhook_secret
    processor.full_clean(exclude=["webhook_secret"])
    processor.save()
    return processor


def agreement_errors(processor: Processor, categories: set[str]) -> list[str]:
    today = timezone.localdate()
    errors = []
    if not processor.active:
        errors.append("The processor is not active.")
    if processor.agreement_signed_on > today:
        errors.append("The processing agreement is not in force yet.")
    if processor.agreement_ends_on and processor.agreement_ends_on < today:
        errors.append("The processing agreement has ended.")
    uncovered = sorted(categories - set(processor.categories))
    if uncovered:
        errors.append("The agreement does not cover: " + ", ".join(uncovered) + ".")
    return errors


@transaction.atomic
def record_disclosure(
    *, processor: Processor, customer_id: uuid.UUID, categories, actor: str
) -> Disclosure:
    """Record that the customer's data in `categories` went to the processor (so that
    an erasure reaches it); refused with a ValidationError unless the categories are
    known, an active agreement covers every one and the customer's processing is not
    restricted."""
    errors = unknown_categories(categories)
    if errors or not categories:
        raise ValidationError({"categories": errors or ["Name at least one data category."]})
    wanted = set(categories)
    errors = agreement_errors(processor, wanted)
    if is_restricted(customer_id):
        errors.append("Processing of this customer's data is restricted (GDPR Art. 18).")
    if errors:
        raise ValidationError({"processor": errors})
    disclosure = Disclosure.objects.create(
        processor=processor, customer_id=customer_id, categories=sorted(wanted)
    )
    record_event(
        actor=actor,
        action=AuditAction.DISCLOSED,
        object_type="disposal.processor",
        object_id=processor.pk,
        subject_id=customer_id,
        purpose="processing",
        metadata={"categories": len(wanted)},
    )
    # The processor now holds a copy of that data: a carrier to account for.
    register_copy(
        kind=CarrierKind.PROCESSOR_COPY,
        source="disclosure",
        holds=wanted,
        actor=actor,
        processor=processor,
    )
    return disclosure


def disclose(*, processor: Processor, customer_id: uuid.UUID, categories, actor: str) -> dict:
    """The customer's data in `categories`, for sending to the processor, recorded as
    `record_disclosure` does (and refused as it refuses)."""
    with transaction.atomic():
        record_disclosure(
            processor=processor, customer_id=customer_id, categories=categories, actor=actor
        )
        return gather(customer_id, set(categories))


@transaction.atomic
def record_disclosures(*, processor: Processor, customer_ids, categories, actor: str) -> int:
    """Record that these customers' data in `categories` goes to the processor (a
    mailing list, say), refused with a ValidationError unless an active agreement covers
    every category; restricted customers must not be among them. Returns the count."""
    wanted = set(categories)
    ids = list(customer_ids)
    errors = agreement_errors(processor, wanted)
    if Customer.objects.filter(pk__in=ids, processing_restricted_at__isnull=False).exists():
        errors.append("Processing of a listed customer's data is restricted (GDPR Art. 18).")
    if errors:
        raise ValidationError({"processor": errors})
    Disclosure.objects.bulk_create(
        Disclosure(processor=processor, customer_id=customer_id, categories=sorted(wanted))
        for customer_id in ids
    )
    for customer_id in ids:
        record_event(
            actor=actor,
            action=AuditAction.DISCLOSED,
            object_type="disposal.processor",
            object_id=processor.pk,
            subject_id=customer_id,
            purpose="processing",
            metadata={"categories": len(wanted)},
        )
    return len(ids)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """sha256=<hex HMAC of "<timestamp>.<body>">: the receiver checks it and the age."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _body(delivery: WebhookDelivery) -> bytes:
    request = delivery.erasure_request
    return json.dumps(
        {
            "event": "customer.erased",
            "delivery_id": str(delivery.pk),
            "erasure_request": str(request.pk),
            "customer_id": delivery.notice_customer_id,
            "requested_at": request.requested_at.isoformat(),
        },
        sort_keys=True,
    ).encode()


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def attempt_delivery(*, delivery_id: uuid.UUID) -> WebhookDelivery:
    """POST the signed notice once, if it is due; on failure schedule the next try
    (doubling delay) until WEBHOOK_MAX_ATTEMPTS, then mark it failed for an operator to
    look at (and `redeliver`). A delivery not yet due is left alone, so the retry job
    and the sweep never make two attempts of one."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("processor", "erasure_request")
            .get(pk=delivery_id)
        )
        if delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at > timezone.now():
            return delivery
        body = _body(delivery)
        timestamp = int(time.time())
        secret = delivery.processor.webhook_secret
        headers = {
            "Content-Type": "application/json",
            **standard_headers(secret, str(delivery.pk), timestamp, body),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            DELIVERY_HEADER: str(delivery.pk),
        }
        delivery.attempts += 1
        try:
            response = post_webhook(delivery.processor.webhook_url, data=body, headers=headers)
            delivery.last_status_code = response.status_code
            delivery.last_error = "" if response.ok else f"HTTP {response.status_code}"
            delivered = response.ok
        except requests.RequestException as error:
            delivery.last_status_code = None
            delivery.last_error = type(error).__name__
            delivered = False
        now = timezone.now()
        if delivered:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.notice_customer_id = None  # the processor has it; we need not keep it
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save()
    return delivery


@transaction.atomic
def redeliver(*, delivery_id: uuid.UUID, actor: str) -> WebhookDelivery:
    """Send a failed (or still pending) erasure notice again, now, with a fresh round of
    WEBHOOK_MAX_ATTEMPTS tries. A delivered notice no longer holds the customer's id and
    cannot be sent again."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status == DeliveryStatus.DELIVERED:
        raise ValidationError("This notice was delivered; there is nothing to send again.")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    record_event(
        actor=actor,
        action=AuditAction.WEBHOOK_REDELIVERED,
        object_type="disposal.webhookdelivery",
        object_id=delivery.pk,
        purpose="erasure",
        metadata={"processor": delivery.processor_id},
    )
    enqueue("disposal.tasks.deliver_webhook", str(delivery.pk))
    return delivery


def due_deliveries() -> list[uuid.UUID]:
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
