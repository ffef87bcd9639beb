"""The double opt-in mail of a capture, sent by the surface that captured the lead
(the form, the API) right after the capture is committed: the address is in memory
only, never in a task argument.

Every address that ticked a purpose needing double opt-in gets a mail: a link to
confirm, or, for a customer who has already granted it, a note saying so with the way
to their account. The answer on the page is then the same whoever the address is."""

import logging
import smtplib

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from consent.vocabulary import purpose_name
from leads.services import Capture, Outcome
from runtime.links import public_url

logger = logging.getLogger(__name__)


def _send(*, to: str, template: str, context: dict) -> None:
    subject = render_to_string(f"leads/email/{template}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"leads/email/{template}.txt", context), to=[to]
    )
    message.attach_alternative(
        render_to_string(f"leads/email/{template}.html", context), "text/html"
    )
    message.send()


def send_confirmations(request, *, to: str, capture: Capture) -> bool:
    """One mail per purpose waiting for confirmation: the lead's link, or the
    customer's own portal link when the address is a customer's. False when the mail
    server could not take them: the capture stands (the choices are recorded), the
    failure is logged without the address, and the page says to try again later."""
    try:
        _send_all(to=to, capture=capture)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("lead confirmation mail not sent (%s)", type(error).__name__)
        return False
    return True


def _send_all(*, to: str, capture: Capture) -> None:
    for purpose, token in capture.tokens.items():
        if capture.outcome == Outcome.CUSTOMER:
            path = reverse("portal:confirm_consent", args=[token])
        else:
            path = reverse("leads:confirm", args=[token])
        context = {"link": public_url(path), "purpose": purpose}
        _send(to=to, template="confirm", context=context)
    if capture.already:
        # Named as the capture form names them.
        names = [purpose_name(code) for code in sorted(capture.already)]
        context = {"purposes": names, "link": public_url(reverse("portal:home"))}
        _send(to=to, template="already_subscribed", context=context)
