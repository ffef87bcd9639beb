"""What staff record for a customer from the 360 view or a ticket: a contact (a call,
with its outcome and an encrypted note; one form on both pages), and a choice the
customer made by phone, post or in person ("stop calling me"), recorded in their
consent ledger by service.choices. A grant of a purpose under double opt-in mails the
customer the portal's confirmation link instead of granting it."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from access.policy import Action
from audit.services import staff_actor
from consent.vocabulary import purpose_name
from customers.services import record_interaction
from dashboard.desk_forms import ChoiceForm, InteractionForm
from dashboard.permissions import staff_required
from dashboard.views.customers import _customer_or_404, _detail
from runtime.forms import add_service_errors
from runtime.links import public_url
from service.choices import record_choice_for_customer
from service.selectors import customer_ticket


def _mail_confirmation(request, customer, token: str, language: str) -> None:
    """The portal's own opt-in mail, in the notice's language: the customer confirms on
    their own link."""
    context = {"link": public_url(reverse("portal:confirm_consent", args=[token]))}
    with translation.override(language):
        subject = render_to_string("portal/email/confirm_consent_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("portal/email/confirm_consent.txt", context),
            to=[customer.email],
        )
        message.attach_alternative(
            render_to_string("portal/email/confirm_consent.html", context), "text/html"
        )
    message.send()


@staff_required(Action.VIEW_PROFILE)
def record_choice(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    if request.method != "POST":
        return redirect("dashboard:customer", customer_id=customer.pk)
    form = ChoiceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = record_choice_for_customer(
                customer=customer,
                purpose=data["purpose"],
                granted=form.granted,
                channel=data["channel"],
                notice_delivery=data["notice_delivery"],
                notice_language=data["notice_language"],
                note=data["note"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            name = purpose_name(recorded.purpose)
            if recorded.pending:
                _mail_confirmation(request, customer, recorded.token, data["notice_language"])
                text = _(
                    "%(purpose)s: the customer was sent a link to confirm. It takes effect "
                    "when they follow it."
                )
            elif recorded.granted:
                text = _("%(purpose)s: agreement recorded for the customer.")
            else:
                text = _("%(purpose)s: withdrawn for the customer.")
            messages.success(request, text % {"purpose": name})
            return redirect(reverse("dashboard:customer", args=[customer.pk]) + "#consents")
    return _detail(request, customer, choice_form=form, status=400)


@staff_required(Action.VIEW_PROFILE)
def log_interaction(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    if request.method != "POST":
        return redirect("dashboard:customer", customer_id=customer.pk)
    form = InteractionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ticket = customer_ticket(customer.pk, data["ticket"]) if data["ticket"] else None
        try:
            record_interaction(
                customer=customer,
                channel=data["channel"],
                kind=data["kind"],
                outcome=data["outcome"],
                note=data["note"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contact is logged on the customer."))
            if ticket is not None:
                return redirect("dashboard:ticket", ticket_id=ticket.pk)
            return redirect(reverse("dashboard:customer", args=[customer.pk]) + "#interactions")
    return _detail(request, customer, interaction_form=form, status=400)
