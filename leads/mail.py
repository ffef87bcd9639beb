"""The double opt-in mail of a capture, sent by the surface that captured the lead
(the form, the API) right after the capture is committed: the address is in memory
only, never in a task argument.

Every address that ticked a purpose needing double opt-in gets a mail: a link to
confirm, or, for a customer who has already granted it, a note saying so with the way
to their account. The answer on the page is then the same whoever the address is."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from consent.models import Purpose
from consent.vocabulary import purpose_name
from leads.services import Capture, Outcome


def _send(*, to: str, template: str, context: dict) -> None:
    subject = render_to_string(f"leads/email/{template}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"leads/email/{template}.txt", context), to=[to]
    )
    message.attach_alternative(
        render_to_string(f"leads/email/{template}.html", context), "text/html"
    )
    message.send()


def send_confirmations(request, *, to: str, capture: Capture) -> None:
    """One mail per purpose waiting for confirmation: the lead's link, or the
    customer's own portal link when the address is a customer's."""
    for purpose, token in capture.tokens.items():
        if capture.outcome == Outcome.CUSTOMER:
            path = reverse("portal:confirm_consent", args=[token])
        else:
            path = reverse("leads:confirm", args=[token])
        context = {"link": request.build_absolute_uri(path), "purpose": purpose}
        _send(to=to, template="confirm", context=context)
    if capture.already:
        # Named as the capture form names them: the one vocabulary.
        codes = Purpose.objects.filter(code__in=capture.already).values_list("code", flat=True)
        context = {"purposes": [purpose_name(code) for code in codes], "link": settings.PORTAL_URL}
        _send(to=to, template="already_subscribed", context=context)
