"""The customer's service tickets: their status and the replies written to them (never
the team's internal notes), a reply of their own, and a "contact us" form that opens a
ticket on the web channel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.actors import CUSTOMER
from portal.forms import ContactForm, ReplyForm
from portal.views.base import customer_required, record_page_view
from runtime.forms import add_service_errors
from service import selectors, services
from service.models import NoteVisibility, TicketChannel, TicketStatus


@customer_required
def ticket_list(request):
    customer = request.customer
    record_page_view(customer, "tickets")
    return render(request, "portal/tickets.html", {"tickets": selectors.tickets_of(customer.pk)})


@customer_required
def ticket_detail(request, ticket_id):
    customer = request.customer
    ticket = selectors.customer_ticket(customer.pk, ticket_id)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and ticket.status != TicketStatus.CLOSED and form.is_valid():
        try:
            services.add_note(
                ticket=ticket,
                body=form.cleaned_data["message"],
                visibility=NoteVisibility.CUSTOMER,
                actor=CUSTOMER,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message is sent. We will reply here."))
            return redirect("portal:ticket", ticket_id=ticket.pk)
    if request.method == "GET":
        record_page_view(customer, "ticket")
    return render(
        request,
        "portal/ticket.html",
        {
            "ticket": ticket,
            "thread": selectors.thread_of(ticket, customer_view=True),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@customer_required
def contact(request):
    customer = request.customer
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.open_ticket(
                customer=customer,
                channel=TicketChannel.WEB,
                topic=form.cleaned_data["topic"],
                subject=form.cleaned_data["subject"],
                note=form.cleaned_data["message"],
                note_visibility=NoteVisibility.CUSTOMER,
                actor=CUSTOMER,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you. Your ticket is open; we will reply on this page.")
            )
            return redirect("portal:ticket", ticket_id=ticket.pk)
    return render(
        request,
        "portal/contact.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
