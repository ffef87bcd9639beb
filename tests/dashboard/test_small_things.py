"""Issue 27 item 12: the idle sign-out says why even after the session cookie expired in
the browser; the lockout page says for how long and links back; minutes pluralize;
charts have whole-number axes and no codes; prices carry their currency; the service
desk's phone example is a number the validator accepts."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from access.roles import Role
from customers.validation import clean_phone
from dashboard.charts import CHARTS, render_svg, whole_number_ticks
from dashboard.middleware import ACTIVE_COOKIE, ACTIVE_SALT, LAST_SEEN
from dashboard.templatetags.staff_format import money, whole_minutes
from dashboard.ticket_forms import LookupForm
from tests.dashboard.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")
SIGN_IN = "/dashboard/sign-in/"


def _marker(seen: int) -> str:
    """The marker as the middleware signs it (the browser's cookie jar holds this)."""
    response = HttpResponse()
    response.set_signed_cookie(ACTIVE_COOKIE, str(seen), salt=ACTIVE_SALT)
    return response.cookies[ACTIVE_COOKIE].value


def _seen(value: str) -> str:
    request = RequestFactory().get("/dashboard/")
    request.COOKIES[ACTIVE_COOKIE] = value
    return request.get_signed_cookie(ACTIVE_COOKIE, salt=ACTIVE_SALT)


def _stale_marker(settings) -> str:
    return _marker(int(time.time()) - settings.DASHBOARD_IDLE_MINUTES * 60 - 5)


def test_activity_leaves_a_signed_marker_without_personal_data(signed_in):
    client, user = signed_in(Role.MARKETING)
    response = client.get("/dashboard/")
    marker = response.cookies[ACTIVE_COOKIE]
    assert marker["path"] == "/dashboard/" and marker["httponly"]
    assert user.get_username() not in marker.value and str(user.pk) not in marker.value.split(":")
    assert abs(int(_seen(marker.value)) - time.time()) < 5


def test_a_session_gone_from_the_browser_still_says_it_ended_for_inactivity(client, settings):
    # The session cookie expired in the browser: only the marker is sent.
    client.cookies[ACTIVE_COOKIE] = _stale_marker(settings)
    response = client.get("/dashboard/customers/")
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?idle=1&next=%2Fdashboard%2Fcustomers%2F"
    assert response.cookies[ACTIVE_COOKIE].value == ""  # deleted: said once
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 15 minutes without activity." in page


def test_a_fresh_or_forged_marker_says_nothing(client, settings):
    client.cookies[ACTIVE_COOKIE] = _marker(int(time.time()))
    assert client.get("/dashboard/customers/")["Location"].startswith(f"{SIGN_IN}?next=")
    client.cookies[ACTIVE_COOKIE] = _stale_marker(settings)[:-2] + "xx"  # not our signature
    assert client.get("/dashboard/customers/")["Location"].startswith(f"{SIGN_IN}?next=")


def test_signing_out_on_purpose_forgets_the_marker(signed_in):
    client, _user = signed_in(Role.MARKETING)
    client.get("/dashboard/")
    response = client.post("/dashboard/sign-out/")
    assert response.cookies[ACTIVE_COOKIE].value == ""


def test_one_idle_minute_is_singular_in_both_languages(signed_in, settings):
    settings.DASHBOARD_IDLE_MINUTES = 1
    client, _user = signed_in(Role.MARKETING)
    client.get("/dashboard/")
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 65
    session.save()
    response = client.get("/dashboard/customers/")
    assert response["Location"].startswith(f"{SIGN_IN}?idle=1")
    page = client.get(response["Location"]).content.decode()
    assert "after 1 minute without activity." in page
    indonesian = client.get(f"{SIGN_IN}?idle=1", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "setelah 1 menit tanpa aktivitas" in indonesian


def test_the_lockout_page_says_for_how_long_and_links_back(client, make_staff):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    for _ in range(5):
        client.post(SIGN_IN, {"username": "sam", "password": "wrong"})
    locked = client.post(SIGN_IN, {"username": "sam", "password": PASSWORD})
    page = locked.content.decode()
    assert locked.status_code == 429
    assert "Try again in 15 minutes." in page and f'href="{SIGN_IN}"' in page
    assert whole_minutes(timedelta(seconds=61)) == 2 and whole_minutes(None) == 0


@pytest.mark.parametrize("slug", sorted(CHARTS))
def test_charts_have_whole_number_axes_and_no_codes(signed_in, make_customer, slug):
    make_customer()
    with translation.override("en-gb"):
        svg = render_svg(CHARTS[slug]).decode()
    ticks = re.findall(r'class="axis y[^"]*".*?</g>\s*</g>', svg, re.S)
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", "".join(ticks))
    assert labels and all(re.fullmatch(r"\d+", label.strip()) for label in labels), labels
    for code in ("marketing_email", "closed_on_time", "new_customers", "rectification<"):
        assert code not in svg
    assert not re.search(r">\d{4}-\d{2}(-\d{2})?<", svg)  # months and weeks as dates, not ISO
    assert 'width="1000"' in svg


def test_whole_number_ticks_cover_the_largest_value():
    assert whole_number_ticks([0, 0]) == [0, 1]
    assert whole_number_ticks([3]) == [0, 1, 2, 3]
    ticks = whole_number_ticks([0, 37])
    assert ticks[0] == 0 and ticks[-1] >= 37 and len(ticks) <= 10
    assert whole_number_ticks([12.5], percent=True)[-1] == 100


def test_prices_carry_the_currency_in_the_readers_language(settings):
    settings.CURRENCY = "EUR"
    with translation.override("en-gb"):
        assert money(Decimal("57.13")) == "€57.13"
    with translation.override("id"):
        assert money(Decimal("1234.5")) == "€1.234,50"
    assert money(None) == ""


def test_the_customer_page_shows_prices_with_currency(signed_in, make_customer, settings):
    from django.utils import timezone

    from customers.services import PurchaseLine, record_purchases
    from tests.factories import ProductFactory

    settings.CURRENCY = "EUR"
    customer = make_customer()
    product = ProductFactory()
    line = PurchaseLine(customer.pk, "ORD-77", product.sku, 1, Decimal("57.13"), timezone.now())
    record_purchases(lines=[line], actor="system")
    client, _user = signed_in(Role.ADMINISTRATOR)
    page = client.get(f"/dashboard/customers/{customer.pk}/").content.decode()
    assert "€57.13" in page


def test_the_phone_example_of_the_caller_lookup_is_accepted_by_the_validator():
    hint = str(LookupForm().fields["query"].help_text)
    [example] = re.findall(r"\+[\d ]+\d", hint)
    assert clean_phone(example).startswith("+")
