"""What the customer can look at: their data, why they see their recommendations, who
accessed their data, and their export."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.actors import CUSTOMER
from consent.selectors import choices_of, consent_history
from customers.models import Product
from customers.selectors import interactions_of, purchases_of
from disposal.exports import export_customer, gather
from disposal.selectors import disclosures_of, keeping_by_category
from portal.access_log import ONLY_OTHERS, access_rows, zone_name
from portal.presentation import category_label
from portal.summary import summary_context
from portal.views.base import customer_required, record_page_view
from recommendations.selectors import recommendations_for
from service.selectors import tickets_of

PAGE_SIZE = 25
# Shown in their own sections; every other registered category is listed as stored.
# Service tickets have their own page, which leaves the team's internal notes out.
SHOWN_APART = {
    "profile",
    "purchases",
    "consent",
    "interactions",
    "disclosures",
    "access_log",
    "service_tickets",
}


def home(request):
    return redirect("portal:my_data")


@customer_required
def my_data(request):
    customer = request.customer
    purchases = Paginator(purchases_of(customer.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    keeping = keeping_by_category()
    others = gather(customer.pk, categories=set(keeping) - SHOWN_APART)
    record_page_view(customer, "my_data")
    return render(
        request,
        "portal/my_data.html",
        {
            "customer": customer,
            "purchases": purchases,
            "choices": choices_of(customer.pk),
            "history": consent_history(customer.pk)[:100],
            "interactions": interactions_of(customer.pk),
            "ticket_count": len(tickets_of(customer.pk)),
            "disclosures": disclosures_of(customer.pk),
            "keeping": keeping,
            "others": [
                (category_label(category), keeping[category], section["records"])
                for category, section in sorted(others.items())
            ],
        },
    )


@customer_required
def recommendations(request):
    customer = request.customer
    found = recommendations_for(customer.pk, limit=10)
    skus = {item.sku for item in found.results} | {
        s for item in found.results for s in item.because
    }
    names = dict(Product.objects.filter(sku__in=skus).values_list("sku", "name"))
    items = [
        {
            "name": names.get(item.sku, item.sku),
            "reason": item.reason,
            "because": [names.get(sku, sku) for sku in item.because],
        }
        for item in found.results
    ]
    record_page_view(customer, "recommendations")
    return render(
        request,
        "portal/recommendations.html",
        {"personalized": found.personalized, "items": items, "choices": choices_of(customer.pk)},
    )


@customer_required
def access_log(request):
    customer = request.customer
    only_others = request.GET.get("who") == ONLY_OTHERS
    rows = access_rows(customer.pk, only_others=only_others)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_page_view(customer, "access_log")
    return render(
        request,
        "portal/access_log.html",
        {"page": page, "rows": page.object_list, "only_others": only_others, "zone": zone_name()},
    )


@customer_required
def export(request):
    return render(request, "portal/export.html")


@customer_required
def export_json(request):
    document = export_customer(
        customer_id=request.customer.pk, actor=CUSTOMER, copy_source="portal"
    )
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@customer_required
def export_summary(request):
    document = export_customer(customer_id=request.customer.pk, actor=CUSTOMER)
    response = render(
        request,
        "portal/export_summary.html",
        summary_context(customer=request.customer, document=document),
    )
    response["Cache-Control"] = "no-store"
    return response
