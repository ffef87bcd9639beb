"""The double opt-in mail of a capture, sent by the surface that captured the lead
(the form, the API) right after the capture is committed: the address is in memory
only, never in a task argument."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from leads.services import Capture, Outcome


def send_confirmations(request, *, to: str, capture: Capture) -> None:
    """One mail per purpose waiting for confirmation: the lead's link, or the
    customer's own portal link when the address is a customer's."""
    for purpose, token in capture.tokens.items():
        if capture.outcome == Outcome.CUSTOMER:
            path = reverse("portal:confirm_consent", args=[token])
        else:
            path = reverse("leads:confirm", args=[token])
        context = {"link": request.build_absolute_uri(path), "purpose": purpose}
        subject = render_to_string("leads/email/confirm_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string("leads/email/confirm.txt", context), to=[to]
        )
        message.attach_alternative(
            render_to_string("leads/email/confirm.html", context), "text/html"
        )
        message.send()
