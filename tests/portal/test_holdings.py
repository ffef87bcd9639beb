"""Issue 26 items 1-3 through the pages: "My data" and the printable summary group the
data by what it means, name codes from the one vocabulary, count technical records in
sentences, leave empty categories out, and show prices in the shop's currency; the lead
form and the dashboard use the same purpose names."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from access.roles import Role
from consent.models import Purpose
from customers.services import PurchaseLine, record_purchases
from leads.models import LeadForm
from privacy.models import RequestChannel, RequestKind
from privacy.services import open_request
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(databases="__all__")
ID = {"HTTP_ACCEPT_LANGUAGE": "id"}
MODEL_NAME = re.compile(r"\b(audit|customers|portal|consent|changes|api)\.[a-z]+\b")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def buy(customer, price="57.13"):
    ProductFactory(sku="POT", name="Teapot")
    record_purchases(
        lines=[PurchaseLine(customer.pk, "o-1", "POT", 1, Decimal(price), timezone.now())],
        actor="system",
    )


def test_pages_name_purposes_from_the_vocabulary_not_the_stored_label(signed_in, client):
    Purpose.objects.filter(code="personalization").update(name="Legacy recommendations")
    for path in ("/portal/my-data/", "/portal/consents/", "/portal/export/summary/"):
        page = signed_in.get(path).content.decode()
        assert "Personal suggestions" in page and "Legacy recommendations" not in page, path
    assert "Suggestions picked from what you bought before." in page  # its one line
    indonesian = signed_in.get("/portal/my-data/", **ID).content.decode()
    assert "Saran pribadi" in indonesian
    assert "Saran yang dipilih dari apa yang pernah Anda beli." in indonesian


def test_the_lead_form_uses_the_same_purpose_names(client):
    Purpose.objects.filter(code="analytics").update(name="Service analytics")
    LeadForm.objects.create(
        slug="news", name="News", source="website", purposes=["analytics", "marketing_email"]
    )
    page = client.get("/forms/news/").content.decode()
    assert "Statistics" in page and "Offers by email" in page
    assert "Service analytics" not in page


def test_the_dashboard_names_a_leads_purpose_and_lawful_basis_in_words(client, make_staff):
    from leads import services
    from leads.models import CaptureMethod

    capture = services.capture_lead(
        contact={"email": "lead@example.org"}, purposes=["marketing_post"], source="expo",
        method=CaptureMethod.IMPORT, channel="expo", actor="staff:1",
    )  # fmt: skip
    Purpose.objects.filter(code="marketing_post").update(name="mkt post")
    client.force_login(
        make_staff(Role.MARKETING), backend="django.contrib.auth.backends.ModelBackend"
    )
    html = client.get(f"/dashboard/leads/{capture.lead.pk}/").content.decode()
    assert "Offers by post" in html and "mkt post" not in html
    assert "<td>Your agreement</td>" in html and "<td>consent</td>" not in html


def test_my_data_leaves_empty_categories_out_and_counts_technical_records(signed_in):
    page = signed_in.get("/portal/my-data/").content.decode()
    text = text_of(page)
    assert "Your profile" in text and "Your choices" in text
    for empty in ("Your purchases", "Who we shared data with", "Requests you made",
                  "Your conversations with our service team", "Suggestions and why"):  # fmt: skip
        assert empty not in text
    assert "Records we keep to run the service safely" in text
    assert "1 sign-in code we mailed you, kept only as a fingerprint." in text
    assert not MODEL_NAME.search(text) and "signincode" not in page
    assert "1095 days" not in text and "None." not in text


def test_purchases_show_returns_and_prices_in_the_shops_currency(signed_in, customer, settings):
    buy(customer, "1234.50")
    english = text_of(signed_in.get("/portal/my-data/").content.decode())
    assert "€1,234.50" in english and "Teapot" in english
    assert "Each purchase is kept 3 years after you made it." in english
    assert "Kept 6 years after you close your account." in english and "tax law" in english
    indonesian = text_of(signed_in.get("/portal/my-data/", **ID).content.decode())
    assert "€1.234,50" in indonesian
    settings.CURRENCY = "IDR"
    rupiah = text_of(signed_in.get("/portal/my-data/", **ID).content.decode())
    assert "Rp" in rupiah and "€" not in rupiah


def test_requests_are_named_in_the_customers_words(signed_in, customer):
    open_request(
        customer=customer, kind=RequestKind.OBJECTION, channel=RequestChannel.EMAIL,
        actor="staff:1",
    )  # fmt: skip
    text = text_of(signed_in.get("/portal/my-data/").content.decode())
    assert "Requests you made" in text and "Stop suggestions from your data" in text
    assert "Objection to profiling" not in text and "Received" in text


def test_the_summary_reads_as_sections_with_the_zone_and_no_table_dumps(
    signed_in, customer, settings
):
    settings.TIME_ZONE = "Asia/Jakarta"
    buy(customer)
    page = signed_in.get("/portal/export/summary/").content.decode()
    text = text_of(page)
    assert "Asia/Jakarta" in text and "€57.13" in text and "Prices in" in text
    assert "Your purchases" in text and "Records we keep to run the service safely" in text
    assert not MODEL_NAME.search(text) and "product__sku" not in text
    assert "On erasure" not in text and "True" not in text.split()
    indonesian = text_of(signed_in.get("/portal/export/summary/", **ID).content.decode())
    assert "Data Anda: ringkasan" in indonesian and "€57,13" in indonesian
    assert "Catatan yang kami simpan agar layanan berjalan aman" in indonesian


def test_suggestions_shown_get_their_own_part_with_the_way_to_why(signed_in, customer):
    from recommendations.services import record_shown

    assert "Suggestions and why" not in text_of(signed_in.get("/portal/my-data/").content.decode())
    record_shown(customer_id=customer.pk, skus=["POT"], personalized=True)
    record_shown(customer_id=customer.pk, skus=["POT"], personalized=False)
    text = text_of(signed_in.get("/portal/my-data/").content.decode())
    assert "Suggestions and why" in text and "We showed you suggestions 2 times." in text
    assert "See your suggestions and why we picked them" in text
    indonesian = text_of(signed_in.get("/portal/my-data/", **ID).content.decode())
    assert "Saran dan alasannya" in indonesian and "2 kali" in indonesian
