"""The service desk: the call-centre screen (phone or email -> the customer -> their
open tickets -> a new ticket), an agent's queue (overdue first, paginated), and a ticket
with its thread. Lookups are POSTs, so no phone number or email reaches a URL.

A ticket's subject and thread are the customer's free text: shown to the assigned agent
when the ticket is a purpose (the customer started it, or someone else assigned it; the
reveal is recorded by access.services.reveal_fields), and to anyone else, or to an agent
who opened or took it on their own, only after a reveal with a stated purpose.

The caller lookup remembers, in the session, whom it found and when: a ticket opened
for them within the call was started by the customer (service.services.open_ticket).
"""

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.display import profile_fields
from access.policy import Action, Field, may_see, purpose_items, reach_review
from access.roles import staff_authors
from access.services import RevealDenied, record_page_view, reveal_fields
from audit.services import staff_actor
from dashboard.desk_forms import InteractionForm
from dashboard.permissions import staff_required
from dashboard.ticket_forms import (
    LookupForm,
    NewTicketForm,
    NoteForm,
    TicketRevealForm,
    UpdateTicketForm,
    agent_from,
)
from dashboard.views.customers import find_customers
from disposal.selectors import live_customer
from runtime.forms import add_service_errors
from service import selectors, services
from service.models import TicketStatus
from vault.exceptions import KeyDestroyed
from vault.masking import mask_text

desk = staff_required(Action.TICKETS)

QUEUE_PAGE_SIZE = 25
LOOKUP_RESULTS = "service_lookup_results"
TICKET_GRANT = "service_ticket_reveal"
CALLER_LOOKUP = "service_caller_lookup"  # {"customers": [ids], "at": ISO time}


def _customer_or_404(customer_id):
    customer = live_customer(customer_id)
    if customer is None:
        raise Http404
    return customer


def _masked_name(customer) -> str:
    try:
        return mask_text(customer.full_name) or "—"
    except KeyDestroyed:
        return "—"


def _rows(tickets, now=None):
    """Queue rows: the ticket, whether it is overdue, and the customer masked (the
    subject is the customer's free text: shown on the ticket, under its rules)."""
    now = now or timezone.now()
    return [
        {
            "ticket": t,
            "overdue": selectors.is_overdue(t, now),
            "customer": _masked_name(t.customer),
        }
        for t in tickets
    ]


@desk
def desk_home(request):
    form = LookupForm()
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                found = find_customers(form.cleaned_data["query"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                found = [c for c in found if live_customer(c.pk) is not None]
                if found:
                    request.session[CALLER_LOOKUP] = {
                        "customers": [str(c.pk) for c in found],
                        "at": timezone.now().isoformat(),
                    }
                if len(found) == 1:
                    return redirect("dashboard:desk_customer", customer_id=found[0].pk)
                if found:
                    request.session[LOOKUP_RESULTS] = [str(c.pk) for c in found]
                    return redirect("dashboard:desk_matches")
                form.add_error(
                    "query",
                    _("No customer has exactly this phone number, email, order number or name."),
                )
    context = {
        "form": form,
        "error_forms": [form],
        "counts": selectors.ticket_counts(request.user),
    }
    return render(request, "dashboard/service/desk.html", context, status=status)


@desk
def desk_matches(request):
    """Several customers share the number (a household): pick the caller."""
    ids = request.session.get(LOOKUP_RESULTS, [])
    matches = []
    for customer_id in ids:
        customer = live_customer(customer_id)
        if customer is None:
            continue
        try:
            profile = profile_fields(customer, user=request.user)
        except KeyDestroyed:
            continue
        matches.append({"customer": customer, "profile": profile})
    if not matches:
        return redirect("dashboard:desk")
    return render(request, "dashboard/service/matches.html", {"matches": matches})


def _render_customer(request, customer, form=None, status=200):
    try:
        profile = profile_fields(customer, user=request.user)
    except KeyDestroyed as error:
        raise Http404 from error
    record_page_view(user=request.user, customer_id=customer.pk, page="service_desk")
    context = {
        "customer": customer,
        "profile": profile,
        "open_rows": _rows(selectors.tickets_of(customer.pk, open_only=True)),
        "form": form or NewTicketForm(),
        "error_forms": [form] if form else [],
    }
    return render(request, "dashboard/service/customer.html", context, status=status)


@desk
def desk_customer(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    lookup = request.session.get(CALLER_LOOKUP) or {}
    found = lookup.get("customers", [])
    if len(found) > 1 and str(customer.pk) in found:
        # The agent picked the caller among several matches (a household, a common
        # name): from now on only that one is the caller.
        request.session[CALLER_LOOKUP] = {**lookup, "customers": [str(customer.pk)]}
    return _render_customer(request, customer)


def _caller_lookup_at(request, customer) -> datetime | None:
    """When this session's caller lookup found the customer (None if it did not)."""
    lookup = request.session.get(CALLER_LOOKUP) or {}
    if str(customer.pk) not in lookup.get("customers", []):
        return None
    try:
        return datetime.fromisoformat(lookup["at"])
    except (KeyError, TypeError, ValueError):
        return None


@desk
def new_ticket(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    if request.method != "POST":
        return redirect("dashboard:desk_customer", customer_id=customer.pk)
    form = NewTicketForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                customer=customer,
                channel=data["channel"],
                topic=data["topic"],
                priority=data["priority"],
                subject=data["subject"],
                complaint=data["complaint"],
                note=data["note"],
                note_visibility=data["note_visibility"],
                assignee=request.user if data["assign_to_me"] else None,
                actor=staff_actor(request.user.pk),
                caller_lookup_at=_caller_lookup_at(request, customer),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ticket %(id)s opened.") % {"id": ticket.short_id})
            return redirect("dashboard:ticket", ticket_id=ticket.pk)
    return _render_customer(request, customer, form=form, status=400)


@desk
def queue(request):
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in selectors.QUEUE_SCOPES else "mine"
    status = request.GET.get("status", "active")
    status = status if status in ("active", "any", *TicketStatus.values) else "active"
    tickets = selectors.ticket_queue(user=request.user, scope=scope, status=status)
    page = Paginator(tickets, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _rows(page.object_list),
        "scope": scope,
        "status": status,
        "scopes": [
            ("mine", _("My tickets")),
            ("unassigned", _("Unassigned")),
            ("all", _("Everyone's")),
        ],
        "statuses": [("active", _("Open or waiting")), *TicketStatus.choices, ("any", _("Any"))],
        "query_prefix": f"scope={scope}&status={status}&",
    }
    return render(request, "dashboard/service/queue.html", context)


def _ticket_or_404(ticket_id):
    ticket = selectors.ticket_get(ticket_id)
    if ticket is None or live_customer(ticket.customer_id) is None:
        raise Http404
    return ticket


def _thread_shown(request, ticket) -> bool:
    """The assigned agent reads their open ticket when it is a purpose (recorded as a
    reveal); others, and an agent who opened or took it themselves, after a reveal
    granted on this ticket for this page."""
    user = request.user
    grant = request.session.pop(TICKET_GRANT, None)
    if grant == str(ticket.pk):
        return True
    purpose = f"ticket:{ticket.pk}"
    if may_see(user, Field.NOTES) and any(
        item.purpose == purpose and Field.NOTES in item.fields
        for item in purpose_items(user, ticket.customer_id)
    ):
        reveal_fields(
            user=user,
            customer_id=ticket.customer_id,
            fields=[Field.NOTES],
            purpose_kind="ticket",
            purpose_ref=str(ticket.pk),
        )
        return True
    return False


def _thread_rows(ticket) -> list[dict]:
    """The thread with each staff note's author ("username (Role)"): staff see who wrote."""
    notes = selectors.thread_of(ticket)
    authors = staff_authors(note.author for note in notes)
    return [{"note": note, "author": authors.get(note.author, "")} for note in notes]


def _render_ticket(request, ticket, status=200, shown=None, denied="", **bound):
    shown = _thread_shown(request, ticket) if shown is None else shown
    items = purpose_items(request.user, ticket.customer_id)
    if not shown and reach_review(request.user, ticket.customer_id):
        # An agent on work they opened or took themselves: the view is flagged.
        record_page_view(user=request.user, customer_id=ticket.customer_id, page="ticket")
    context = {
        "ticket": ticket,
        "overdue": selectors.is_overdue(ticket),
        "shown": shown,
        "thread": _thread_rows(ticket) if shown else [],
        "note_count": ticket.notes.count(),
        "note_form": bound.get("note_form") or NoteForm(),
        "update_form": bound.get("update_form")
        or UpdateTicketForm(
            initial={
                "status": ticket.status,
                "priority": ticket.priority,
                "assignee": ticket.assignee_id or "",
                "complaint": ticket.complaint,
            }
        ),
        "reveal_form": bound.get("reveal_form") or TicketRevealForm(items=items),
        "interaction_form": InteractionForm(),
        "error_forms": list(bound.values()),
        "denied": denied,
    }
    return render(request, "dashboard/service/ticket.html", context, status=status)


@desk
def ticket_detail(request, ticket_id: uuid.UUID):
    return _render_ticket(request, _ticket_or_404(ticket_id))


@desk
def ticket_reveal(request, ticket_id: uuid.UUID):
    ticket = _ticket_or_404(ticket_id)
    if request.method != "POST":
        return redirect("dashboard:ticket", ticket_id=ticket.pk)
    user = request.user
    form = TicketRevealForm(request.POST, items=purpose_items(user, ticket.customer_id))
    if not form.is_valid():
        return _render_ticket(request, ticket, status=400, reveal_form=form)
    kind, ref = form.purpose_parts()
    try:
        reveal_fields(
            user=user,
            customer_id=ticket.customer_id,
            fields=[Field.NOTES],
            purpose_kind=kind,
            purpose_ref=ref,
            reason=form.cleaned_data["reason"],
        )
    except RevealDenied as denial:
        return _render_ticket(
            request, ticket, status=403, shown=False, reveal_form=form, denied=denial.denial
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_ticket(request, ticket, status=400, reveal_form=form)
    request.session[TICKET_GRANT] = str(ticket.pk)
    messages.success(request, _("Shown for this page only. Your reason is in the audit log."))
    return redirect(reverse("dashboard:ticket", args=[ticket.pk]) + "#thread")


@desk
def add_note(request, ticket_id: uuid.UUID):
    ticket = _ticket_or_404(ticket_id)
    if request.method != "POST":
        return redirect("dashboard:ticket", ticket_id=ticket.pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(
                ticket=ticket,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to the thread."))
            return redirect(reverse("dashboard:ticket", args=[ticket.pk]) + "#thread")
    return _render_ticket(request, ticket, status=400, note_form=form)


@desk
def update_ticket(request, ticket_id: uuid.UUID):
    ticket = _ticket_or_404(ticket_id)
    if request.method != "POST":
        return redirect("dashboard:ticket", ticket_id=ticket.pk)
    form = UpdateTicketForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_ticket(
                ticket=ticket,
                actor=staff_actor(request.user.pk),
                status=data["status"],
                priority=data["priority"],
                assignee=agent_from(data["assignee"]),
                complaint=data["complaint"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ticket updated."))
            return redirect("dashboard:ticket", ticket_id=ticket.pk)
    return _render_ticket(request, selectors.ticket_get(ticket.pk), status=400, update_form=form)


@desk
def take_ticket(request, ticket_id: uuid.UUID):
    ticket = _ticket_or_404(ticket_id)
    if request.method == "POST":
        try:
            services.assign_ticket(
                ticket=ticket, assignee=request.user, actor=staff_actor(request.user.pk)
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(request, _("The ticket is yours."))
    return redirect("dashboard:ticket", ticket_id=ticket.pk)
