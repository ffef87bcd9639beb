"""The readable summary of an export document: its sections in the customer's words.
One builder for the portal's printable summary and the privacy desk's copy for a
customer who asked by letter or phone (both render
portal/includes/export_summary_body.html with it), so they cannot drift apart."""

from django.utils import timezone

from portal.presentation import category_label


def summary_context(*, customer, document: dict) -> dict:
    """The template context of the summary of `document`, the customer's export."""
    sections = [
        (category_label(category), section)
        for category, section in sorted(document["categories"].items())
    ]
    return {"document": document, "sections": sections, "generated_at": timezone.now()}
