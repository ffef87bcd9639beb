"""What a campaign sends: the email (text + HTML, RFC 8058 one-click unsubscribe) and the
post list for a mailing house. Personal values (the address, the name for post) are read
here, in a worker, and go only to the mail server or the processor."""

import json
import time
import uuid

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from campaigns.models import Campaign, Recipient, RecipientStatus
from customers.models import Customer, Product
from disposal.models import Processor
from disposal.processors import agreement_errors, standard_headers
from disposal.webhook_targets import post_webhook
from runtime.links import public_host, public_url

# What a post list discloses: the name and postal address, which the registry files
# under the "profile" category; the processor's agreement must cover it.
POST_CATEGORIES = {"profile"}


def post_agreement_errors(processor: Processor) -> list[str]:
    return agreement_errors(processor, POST_CATEGORIES)


def unsubscribe_url(*, customer_id: uuid.UUID, purpose: str, campaign_id: uuid.UUID) -> str:
    from campaigns.services import unsubscribe_token

    token = unsubscribe_token(customer_id=customer_id, purpose=purpose, campaign_id=campaign_id)
    return public_url(reverse("portal:unsubscribe", kwargs={"token": token}))


def offered_products(skus: list[str]) -> list[Product]:
    found = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
    return [found[sku] for sku in skus if sku in found]


def build_email(*, campaign: Campaign, recipient: Recipient, offered: list[str]):
    """The message for one recipient: the campaign's text, their offers, the unsubscribe
    link, and the List-Unsubscribe headers. No tracking pixel, no tracked links."""
    url = unsubscribe_url(
        customer_id=recipient.customer_id, purpose=campaign.purpose, campaign_id=campaign.pk
    )
    context = {
        "campaign": campaign,
        "paragraphs": [part for part in campaign.body.replace("\r", "").split("\n\n") if part],
        "offers": offered_products(offered),
        "unsubscribe_url": url,
    }
    text = render_to_string("campaigns/email/campaign.txt", context)
    html = render_to_string("campaigns/email/campaign.html", context)
    customer = Customer.objects.get(pk=recipient.customer_id)
    message = EmailMultiAlternatives(
        subject=campaign.subject,
        body=text,
        to=[customer.email],
        headers={
            # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the URL.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # One id per recipient: a mail server that sees it twice can drop the copy.
            "Message-ID": f"<campaign-{campaign.pk}-{recipient.pk}@{public_host()}>",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send_campaign_email(*, campaign: Campaign, recipient: Recipient, offered: list[str]) -> None:
    build_email(campaign=campaign, recipient=recipient, offered=offered).send()


def post_list(campaign: Campaign) -> list[dict]:
    """The mailing house's list: a reference (the recipient row id), the name and the
    postal address, and the offers' skus. Only rows marked sent (disclosed)."""
    rows = (
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.SENT)
        .select_related("customer")
        .order_by("id")
    )
    return [
        {
            "reference": row.pk,
            "name": row.customer.full_name,
            "address": row.customer.postal_address,
            "offers": row.offered,
        }
        for row in rows
    ]


def deliver_post_list(campaign: Campaign) -> int:
    """POST the list to the processor's endpoint, signed with its secret as the erasure
    notices are (Standard Webhooks; the id is the campaign's, the same on a retry, so
    the receiver can drop a repeat). Returns the HTTP status; raises on a network error,
    so the task retries."""
    processor = campaign.processor
    body = json.dumps(
        {"event": "campaign.post_list", "campaign": str(campaign.pk), "rows": post_list(campaign)},
        sort_keys=True,
    ).encode()
    timestamp = int(time.time())
    response = post_webhook(
        processor.webhook_url,
        data=body,
        headers={
            "Content-Type": "application/json",
            **standard_headers(
                processor.webhook_secret, f"campaign-{campaign.pk}", timestamp, body
            ),
        },
    )
    return response.status_code
