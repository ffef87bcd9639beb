"""What the customer can look at: their data, why they see their recommendations, who
accessed their data, and their export."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.actors import CUSTOMER
from consent.selectors import choices_of
from customers.models import Product
from customers.selectors import purchases_of
from disposal.exports import export_customer
from portal.access_log import ONLY_OTHERS, AccessLog, zone_name
from portal.holdings import holdings_of
from portal.summary import summary_context
from portal.views.base import customer_required, record_page_view
from recommendations.selectors import recommendations_for

PAGE_SIZE = 25


def home(request):
    return redirect("portal:my_data")


@customer_required
def my_data(request):
    customer = request.customer
    purchases = Paginator(purchases_of(customer.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    record_page_view(customer, "my_data")
    return render(
        request,
        "portal/my_data.html",
        {"customer": customer, "holdings": holdings_of(customer, purchases=purchases)},
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
    log = AccessLog(customer.pk, only_others=only_others)
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
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
    """The printable summary: the sections of "My data" in full, for a person to read
    and print on A4; the export is still made (and audited) as for the file."""
    document = export_customer(customer_id=request.customer.pk, actor=CUSTOMER)
    response = render(
        request,
        "portal/export_summary.html",
        summary_context(customer=request.customer, document=document),
    )
    response["Cache-Control"] = "no-store"
    return response
