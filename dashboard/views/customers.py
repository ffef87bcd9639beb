"""Customers: search (POST, so no email or phone reaches a URL), filtered keyset list
without personal values, the 360 view masked by default, and reveal with a purpose."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from access.display import note_text, product_names, profile_fields, purchase_lines
from access.policy import (
    Action,
    Field,
    assigned_items,
    may_see,
    needs_assignment,
    purpose_items,
)
from access.roles import staff_authors
from access.services import RevealDenied, record_page_view, reveal_fields
from consent.selectors import consent_history, current_consents, granted_by_customer
from customers import selectors as customer_selectors
from customers.name_index import customers_by_name
from customers.validation import clean_phone
from dashboard.desk_forms import ChoiceForm, InteractionForm
from dashboard.forms import FilterForm, RevealForm, SearchForm
from dashboard.permissions import staff_required
from disposal.selectors import disclosures_of, live_customer
from privacy import selectors as privacy_selectors
from recommendations.selectors import recommendations_for
from runtime.forms import add_service_errors
from runtime.replica import replica_reads
from service.selectors import tickets_of
from vault.exceptions import KeyDestroyed

REVEAL_GRANT = "dashboard_reveal"
SEARCH_RESULTS = "dashboard_search_results"
PAGE_SIZE = 50


def _filtered(filter_form):
    """The filtered customers, or None when the filters are refused (the form says why;
    a sensitive category is never one: access.policy)."""
    if not filter_form.is_bound:
        return customer_selectors.filtered_customers(customer_selectors.CustomerFilters())
    if not filter_form.is_valid():
        return None
    try:
        queryset = customer_selectors.filtered_customers(filter_form.to_filters())
    except ValidationError as error:
        add_service_errors(filter_form, error)
        return None
    has_open = filter_form.open_requests_filter()
    if has_open is not None:
        queryset = privacy_selectors.with_open_requests(queryset, has_open)
    return queryset


def _list_context(request, search_form=None) -> dict:
    categories = customer_selectors.filterable_purchase_categories()
    filter_form = FilterForm(request.GET or None, categories=categories)
    queryset = _filtered(filter_form)
    page = customer_selectors.customer_page(
        queryset
        if queryset is not None
        else customer_selectors.filtered_customers(customer_selectors.CustomerFilters()).none(),
        cursor=request.GET.get("after", ""),
        size=PAGE_SIZE,
    )
    search_form = search_form or SearchForm()
    return {
        "search_form": search_form,
        "error_forms": [search_form, filter_form],
        "filter_form": filter_form,
        "rows": _rows(page.rows),
        "next_query": _next_query(request, page.next_cursor),
        "filters_refused": queryset is None,
    }


def _rows(rows):
    ids = [row.id for row in rows]
    consents = granted_by_customer(ids)
    open_counts = privacy_selectors.open_request_counts(ids)
    return [
        {
            "row": row,
            "consents": sorted(code for code, granted in consents[row.id].items() if granted),
            "open_requests": open_counts.get(row.id, 0),
        }
        for row in rows
    ]


def _next_query(request, cursor):
    if not cursor:
        return ""
    query = request.GET.copy()
    query["after"] = cursor
    return query.urlencode()


@staff_required(Action.VIEW_CUSTOMERS)
def customer_list(request):
    with replica_reads():  # a list may be seconds behind; a customer's page never is
        context = _list_context(request)
    status = 400 if context["filters_refused"] else 200
    return render(request, "dashboard/customers/list.html", context, status=status)


def find_customers(query: str) -> list:
    """Exact matches by email, or by phone, external id (a storefront's id may be all
    digits too) and order number; when none of those matches, by every token of the
    name (customers.name_index). A number that is not a valid phone and nothing else
    found: the phone's message."""
    query = query.strip()
    if "@" in query:
        found = customer_selectors.customer_by_email(query)
        return [found] if found else []
    found, phone_error = [], None
    if query[:1] == "+" or query.replace(" ", "").replace("-", "").isdigit():
        try:
            found = customer_selectors.customers_by_phone(clean_phone(query))
        except ValidationError as error:
            phone_error = error
    by_id = customer_selectors.customer_by_external_id(query)
    for customer in [by_id, *customer_selectors.customers_by_order(query)]:
        if customer and customer.pk not in {known.pk for known in found}:
            found.append(customer)
    if not found:
        found = customers_by_name(query)
    if not found and phone_error:
        raise ValidationError({"query": phone_error.messages})
    return found


@staff_required(Action.VIEW_PROFILE)
def customer_search(request):
    if request.method != "POST":
        return redirect("dashboard:customers")
    form = SearchForm(request.POST)
    if form.is_valid():
        try:
            found = find_customers(form.cleaned_data["query"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if len(found) == 1:
                return redirect("dashboard:customer", customer_id=found[0].pk)
            if found:
                request.session[SEARCH_RESULTS] = [str(customer.pk) for customer in found]
                return redirect("dashboard:search_results")
            form.add_error(
                "query", _("No customer has exactly this email, phone, id, order number or name.")
            )
    return render(
        request, "dashboard/customers/list.html", _list_context(request, form), status=400
    )


@staff_required(Action.VIEW_PROFILE)
def search_results(request):
    ids = request.session.get(SEARCH_RESULTS, [])
    queryset = customer_selectors.filtered_customers(customer_selectors.CustomerFilters())
    page = customer_selectors.customer_page(queryset.filter(pk__in=ids), size=PAGE_SIZE)
    return render(request, "dashboard/customers/results.html", {"rows": _rows(page.rows)})


def _customer_or_404(customer_id):
    # Unknown, or being erased (from the erasure's first step every surface says gone).
    customer = live_customer(customer_id)
    if customer is None:
        raise Http404
    return customer


def _revealable(user) -> list[str]:
    return [field.value for field in Field if may_see(user, field)]


def _recommendations(customer_id, user) -> dict:
    """The customer's recommendations with sensitive products named as the user may see."""
    model = recommendations_for(customer_id, limit=8)
    skus = {sku for rec in model.results for sku in (rec.sku, *rec.because)}
    categories = customer_selectors.categories_of(skus)
    return {
        "personalized": model.personalized,
        "results": [
            {
                "sku": product_names([rec.sku], categories, user=user)[0],
                "because": product_names(rec.because, categories, user=user),
            }
            for rec in model.results
        ],
    }


def _detail(
    request,
    customer,
    *,
    revealed=frozenset(),
    reveal_form=None,
    choice_form=None,
    interaction_form=None,
    denied="",
    status=200,
):
    user = request.user
    assigned = assigned_items(user, customer.pk)
    items = [item for item in assigned if not item.self_made]
    revealable = _revealable(user)
    try:
        profile = profile_fields(customer, user=user, revealed=revealed)
    except KeyDestroyed as error:
        raise Http404 from error
    contacts = list(customer_selectors.interactions_of(customer.pk)[:50])
    authors = staff_authors(contact.created_by for contact in contacts)
    interactions = [
        {
            "interaction": interaction,
            "note": note_text(interaction.note, user=user, revealed=revealed),
            "author": authors.get(interaction.created_by, ""),
        }
        for interaction in contacts
    ]
    context = {
        "customer": customer,
        "profile": profile,
        "revealed": revealed,
        "purchases": purchase_lines(customer_selectors.purchases_of(customer.pk)[:50], user=user),
        "consents": current_consents(customer.pk),
        "consent_history": consent_history(customer.pk),
        "recommendations": _recommendations(customer.pk, user),
        "interactions": interactions,
        "requests": privacy_selectors.requests_of(customer.pk),
        "tickets": tickets_of(customer.pk),
        "disclosures": disclosures_of(customer.pk)[:50],
        "reveal_form": reveal_form
        or (RevealForm(fields=revealable, items=items) if revealable else None),
        "choice_form": choice_form or ChoiceForm(),
        "interaction_form": interaction_form or InteractionForm(),
        "error_forms": [form for form in (reveal_form, choice_form, interaction_form) if form],
        "needs_assignment": needs_assignment(user),
        "assigned": assigned,
        "self_made_only": bool(assigned) and not items,
        "denied": denied,
    }
    record_page_view(user=user, customer_id=customer.pk, page="customer_360")
    return render(request, "dashboard/customers/detail.html", context, status=status)


@staff_required(Action.VIEW_PROFILE)
def customer_detail(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    grant = request.session.pop(REVEAL_GRANT, None)
    revealed = frozenset()
    if grant and grant.get("customer") == str(customer.pk):
        revealed = frozenset(grant.get("fields", []))
    return _detail(request, customer, revealed=revealed)


@staff_required(Action.VIEW_PROFILE)
def customer_reveal(request, customer_id: uuid.UUID):
    customer = _customer_or_404(customer_id)
    if request.method != "POST":
        return redirect("dashboard:customer", customer_id=customer.pk)
    user = request.user
    form = RevealForm(
        request.POST, fields=_revealable(user), items=purpose_items(user, customer.pk)
    )
    if not form.is_valid():
        return _detail(request, customer, reveal_form=form, status=400)
    kind, ref = form.purpose_parts()
    try:
        grant = reveal_fields(
            user=user,
            customer_id=customer.pk,
            fields=form.cleaned_data["fields_to_reveal"],
            purpose_kind=kind,
            purpose_ref=ref,
            reason=form.cleaned_data["reason"],
        )
    except RevealDenied as denial:
        return _detail(request, customer, reveal_form=form, denied=denial.denial, status=403)
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, customer, reveal_form=form, status=400)
    request.session[REVEAL_GRANT] = {"customer": str(customer.pk), "fields": list(grant.fields)}
    messages.success(request, _("Shown for this page only. Your reason is in the audit log."))
    return redirect(reverse("dashboard:customer", args=[customer.pk]) + "#profile")
