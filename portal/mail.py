"""Mails the portal sends: a text and an HTML body from templates, in the reader's
language, through Django's email backend (EMAIL_URL)."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send(*, to: str, template: str, context: dict) -> None:
    """Render portal/email/<template>_subject.txt, .txt and .html and send them."""
    subject = render_to_string(f"portal/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"portal/email/{template}.txt", context)
    html = render_to_string(f"portal/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
