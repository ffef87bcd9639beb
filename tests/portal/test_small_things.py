"""Issue 26 item 10, the small things: one date format per language, localized prices,
lists written "A and B", the mails' sender from DEFAULT_FROM_EMAIL (written into the
development .env), the sign-in code's lifetime said the same in the mail and on the page,
and one way to "Close my account"."""

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import environ
import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from crm_project.devenv import write_dev_env
from customers.services import PurchaseLine, record_purchases
from portal import urls as portal_urls
from tests.factories import ProductFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db(databases="__all__")
ID = {"HTTP_ACCEPT_LANGUAGE": "id"}
MOMENT = datetime(2026, 12, 7, 14, 5)
PORTAL_TEMPLATES = Path(settings.BASE_DIR) / "portal" / "templates"


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("en-gb", "7 Dec 2026", "7 Dec 2026, 14:05"), ("id", "7 Des 2026", "7 Des 2026, 14.05")],
)
def test_each_language_writes_dates_one_way(language, day, moment):
    with translation.override(language):
        assert date_format(MOMENT, "DATE_FORMAT") == day
        assert date_format(MOMENT, "SHORT_DATE_FORMAT") == day
        assert date_format(MOMENT, "DATETIME_FORMAT") == moment
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == moment


def test_portal_templates_name_formats_never_spell_them_out():
    literal = re.compile(r"\|(date|time):\"(?![A-Z_]+_FORMAT\")")
    found = [
        str(path.relative_to(PORTAL_TEMPLATES))
        for path in PORTAL_TEMPLATES.rglob("*.*")
        if literal.search(path.read_text())
    ]
    assert not found


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load words %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("items", "english", "indonesian"),
    [
        ([], "", ""),
        (["Trowel"], "Trowel", "Trowel"),
        (["Trowel", "Gloves"], "Trowel and Gloves", "Trowel dan Gloves"),
        (["Trowel", "Gloves", "Seeds"], "Trowel, Gloves and Seeds", "Trowel, Gloves dan Seeds"),
    ],
)
def test_lists_read_as_a_person_writes_them(items, english, indonesian):
    assert _render("{{ items|join_words }}", "en-gb", items=items) == english
    assert _render("{{ items|join_words }}", "id", items=items) == indonesian


def test_names_in_a_list_stay_escaped():
    assert _render("{{ items|join_words }}", "en-gb", items=["<b>", "A&B"]) == (
        "&lt;b&gt; and A&amp;B"
    )


def test_prices_follow_the_readers_language(signed_in, customer):
    mat = ProductFactory(sku="MAT", name="Yoga mat", price=Decimal("1234.5"))
    record_purchases(
        lines=[PurchaseLine(customer.pk, "o-1", mat.sku, 1, mat.price, MOMENT.astimezone())],
        actor="system",
    )
    assert "1,234.50" in signed_in.get("/portal/my-data/").content.decode()
    assert "1.234,50" in signed_in.get("/portal/my-data/", **ID).content.decode()


def test_mails_come_from_the_configured_sender(client, customer, settings):
    settings.DEFAULT_FROM_EMAIL = "Toko Kita <halo@tokokita.example>"
    mail.outbox.clear()
    client.post("/portal/sign-in/", {"email": customer.email})
    [message] = mail.outbox
    assert message.from_email == "Toko Kita <halo@tokokita.example>"


def test_the_development_env_names_a_sender_that_settings_read(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    assert write_dev_env(path)
    read: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", read)  # not this process's environment
    environ.Env.read_env(str(path))
    assert read["DEFAULT_FROM_EMAIL"] == "Custodian demo shop <no-reply@shop.example>"


@pytest.mark.parametrize(
    ("minutes", "english", "indonesian"),
    [(1, "1 minute.", "1 menit"), (15, "15 minutes.", "15 menit")],
)
def test_the_code_lifetime_is_the_same_in_the_mail_and_on_the_page(
    client, customer, settings, minutes, english, indonesian
):
    settings.VERIFICATION_CODE_MINUTES = minutes
    for language, words in (("en-gb", english), ("id", indonesian)):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        mail.outbox.clear()
        page = client.post("/portal/sign-in/", {"email": customer.email}, follow=True)
        [message] = mail.outbox
        assert f"for {words}" in page.content.decode() or f"selama {words}" in (
            page.content.decode()
        )
        assert f"for {words}" in message.body or f"selama {words}" in message.body
        assert "a few minutes" not in message.body and "beberapa menit" not in message.body


def test_the_new_address_code_says_how_long_it_works(signed_in, settings):
    settings.VERIFICATION_CODE_MINUTES = 12
    mail.outbox.clear()
    signed_in.post("/portal/profile/email/", {"email": "new@example.net"})
    assert "The code works once, for 12 minutes." in mail.outbox[-1].body


def test_close_my_account_has_one_entry_point_on_every_page(client, customer):
    sign_in(client, customer)
    for pattern in portal_urls.urlpatterns:
        if pattern.pattern.converters or pattern.name in {"sign_out", "change_consent"}:
            continue
        response = client.get(f"/portal/{pattern.pattern}")
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        links = response.content.decode().count('href="/portal/close-account/"')
        assert links <= 1, pattern.name
    consents = client.get("/portal/consents/").content.decode()
    assert consents.count('href="/portal/close-account/"') == 1
