"""Issue 26 item 5: Bahasa Indonesia is complete, and stays complete. A customer with every
kind of data walks every portal page, the public lead form, the printable summary and
every mail the portal and the lead form send, once in English and once in Bahasa
Indonesia. A piece of interface text (a text node, a title, a label for assistive
technology, a mail's subject or line) that reads the same in both renders is
untranslated, unless it is only data: the customer's own, product names, numbers,
dates, addresses, links and brand names.

The test compares renders; it lists no strings, so a page or a section added later is
checked as soon as it is rendered. Pages are found from the portal's URL patterns."""

import functools
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import URLPattern, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language_info

from access.roles import Role
from access.services import reveal_fields
from campaigns.services import unsubscribe_token
from customers.services import PurchaseLine, record_purchases, record_return
from disposal.models import Processor
from disposal.processors import record_disclosure, save_processor
from leads.models import LeadForm
from portal import urls as portal_urls
from service import services as tickets
from tests.factories import CustomerFactory, ProductFactory
from tests.portal.conftest import code_from, link_from

pytestmark = pytest.mark.django_db(databases="__all__")

# Words written the same in both languages: brand and format names, loanwords Bahasa
# Indonesia uses as they are. Words, never whole strings: a sentence of them is still
# flagged when it reads the same.
SAME_IN_BOTH = {"custodian", "email", "json", "pdf", "csv", "id", "sku", "api", "ok", "status"}
# Parameterised pages are reached through the flow below, with real links and tokens.
NOT_WALKED_BY_NAME = {"sign_out", "change_consent", "export_json"}
UNDO = re.compile(r"https?://[^/\s]+(/portal/profile/email/undo/\S+)")
CONFIRM = re.compile(r"https?://[^/\s]+(/(?:portal/consents/confirm|forms/confirm)/\S+)")
NEUTRAL = [
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # an address
    re.compile(r"\b\w\*+@\S+"),  # a masked address
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
    re.compile(r"\d[\d.,:/ -]*"),  # numbers, prices, dates and times in figures
    re.compile(r"\b(UTC|GMT|WIB|[A-Z][a-z]+/[A-Za-z_]+)\b"),  # zone names
]


class TextNodes(HTMLParser):
    """A page's text nodes and the attributes people read (title, alt, placeholder,
    aria-label, a button's value), skipping scripts and styles."""

    READ = {"title", "alt", "placeholder", "aria-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in self.READ:
            if values.get(name):
                self.nodes.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.nodes.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.nodes.append(data)


def _normal(text: str) -> str:
    return " ".join(text.split())


def html_texts(html: str) -> set[str]:
    parser = TextNodes()
    parser.feed(html)
    return {_normal(node) for node in parser.nodes if _normal(node)}


def mail_texts(message) -> set[str]:
    texts = {_normal(message.subject)}
    texts |= {_normal(line) for line in message.body.splitlines() if _normal(line)}
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            texts |= html_texts(content)
    return texts


class Walk:
    """One language's renders: {what was rendered: its texts}."""

    def __init__(self, language: str, capture):
        self.language = language
        self.capture = capture  # runs what a request leaves for after its commit (mails)
        self.renders: dict[str, set[str]] = {}
        self.data: set[str] = set()

    def page(self, client, name: str, path: str, method: str = "get", **data):
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        with self.capture(execute=True):
            response = getattr(client, method)(path, data, follow=True, **headers)
        assert response.status_code < 500, f"{name}: {response.status_code}"
        # A page that is not there for this customer now (the closed account's status
        # before closing) is walked when it is.
        if "text/html" in response.get("Content-Type", "") and response.status_code != 404:
            final = response.request["PATH_INFO"]
            self.renders[f"{name} ({final})"] = html_texts(response.content.decode())
        return response

    def mails(self, step: str):
        for number, message in enumerate(mail.outbox):
            self.renders[f"mail {step} #{number}: {message.subject}"] = mail_texts(message)


@functools.cache
def _month_names() -> frozenset[str]:
    """Month names dates are written with that read the same in both ("Jan", "Juli"):
    a date is data, not interface text."""
    names: dict[str, set[str]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names[code] = {
                date_format(date(2026, month, 1), spelled)
                for month in range(1, 13)
                for spelled in ("M", "F", "N", "b")
            }
    english, indonesian = (names[code] for code, _name in settings.LANGUAGES)
    return frozenset(name.lower().rstrip(".") for name in english & indonesian)


def _language_names() -> set[str]:
    """Each language is offered under its own name (the switcher): the same in both."""
    return {str(name) for _code, name in settings.LANGUAGES} | {
        get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES
    }


def untranslated(text: str, data: set[str]) -> bool:
    """Whether a text that reads the same in both languages holds interface words: what
    is left once data, numbers, dates, addresses, links and brand names are taken out."""
    rest = text
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, " ")
    for pattern in NEUTRAL:
        rest = pattern.sub(" ", rest)
    same = SAME_IN_BOTH | _month_names()
    words = [word for word in re.findall(r"[^\W\d_]{2,}", rest) if word.lower() not in same]
    return bool(words)


def _rich_customer(number: int):
    """A customer with every kind of data: purchases and a return, a conversation with
    the service team, data shared with a processor, a staff member's look at a detail,
    choices with a history."""
    customer = CustomerFactory(
        email=f"dewi{number}@example.com",
        full_name="Dewi Lestari",
        phone="+62 21 5550 1234",
        postal_address="Jl. Merdeka 10\nJakarta 10110",
        consents={"account": True, "personalization": True, "analytics": False},
    )
    teapot = ProductFactory(sku=f"TP-{number}", name="Teapot Kyusu", price=Decimal("57.13"))
    mat = ProductFactory(sku=f"YM-{number}", name="Yoga mat Lotus", price=Decimal("120000"))
    bought = timezone.now() - timedelta(days=40)
    record_purchases(
        lines=[
            PurchaseLine(customer.pk, f"order-{number}", teapot.sku, 2, teapot.price, bought),
            PurchaseLine(customer.pk, f"order-{number}", mat.sku, 1, mat.price, bought),
        ],
        actor="system",
    )
    record_return(
        order_id=f"order-{number}",
        sku=teapot.sku,
        quantity=1,
        returned_at=bought + timedelta(days=3),
        actor="system",
    )
    ticket = tickets.open_ticket(
        customer=customer,
        channel="phone",
        topic="delivery",
        subject="Paket belum sampai",
        actor="system",
        note="Parcel left the depot late",
    )
    tickets.add_note(
        ticket=ticket, body="Paket baru dikirim hari ini.", visibility="customer", actor="system"
    )
    return customer, ticket, [teapot, mat]


def _processor():
    return Processor.objects.filter(name="PostKilat").first() or save_processor(
        processor=Processor(
            name="PostKilat",
            agreement_reference="DPA-7",
            agreement_signed_on=date(2024, 1, 1),
            categories=["profile"],
            webhook_url="https://postkilat.example/hook",
        ),
        webhook_secret="s3cret",
    )


def walk(client, language: str, number: int, make_staff, capture) -> Walk:
    result = Walk(language, capture)
    customer, ticket, products = _rich_customer(number)
    record_disclosure(
        processor=_processor(), customer_id=customer.pk, categories=["profile"], actor="system"
    )
    reveal_fields(
        user=make_staff(Role.PRIVACY_OFFICER),
        customer_id=customer.pk,
        fields=["phone"],
        purpose_kind="reason",
        reason="Kurir meminta konfirmasi",
    )
    lead_form = LeadForm.objects.create(
        slug=f"kabar-{number}",
        name="Kabar Toko",
        source="website",
        purposes=["marketing_email", "marketing_post"],
        ask_company=True,
    )
    result.data |= {
        customer.full_name,
        customer.phone,
        *customer.postal_address.splitlines(),
        ticket.subject,
        "Paket baru dikirim hari ini.",
        "Parcel left the depot late",
        "Kurir meminta konfirmasi",
        "PostKilat",
        lead_form.name,
        *(p.name for p in products),
        *(p.sku for p in products),
        f"order-{number}",
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    # Signing in: the pages and the mail with the code and the link.
    mail.outbox.clear()
    result.page(client, "sign in", reverse("portal:sign_in"))
    result.page(client, "sign in: sent", reverse("portal:sign_in"), "post", email=customer.email)
    [code_mail] = mail.outbox
    result.mails("sign in")
    result.page(client, "sign-in link", link_from(code_mail))
    mail.outbox.clear()
    client.post(reverse("portal:sign_in"), {"email": customer.email})
    result.page(
        client,
        "sign in: code",
        reverse("portal:sign_in_code"),
        "post",
        code=code_from(mail.outbox[-1]),
    )
    mail.outbox.clear()

    # Every page without parameters, found from the portal's URLs.
    for pattern in portal_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.pattern.converters or pattern.name in NOT_WALKED_BY_NAME:
            continue
        result.page(client, pattern.name, reverse(f"portal:{pattern.name}"))
    result.page(client, "ticket", reverse("portal:ticket", args=[ticket.pk]))
    result.page(client, "summary", reverse("portal:export_summary"))
    result.page(
        client,
        "unsubscribe",
        reverse(
            "portal:unsubscribe",
            args=[
                unsubscribe_token(
                    customer_id=customer.pk, purpose="marketing_post", campaign_id=ticket.pk
                )
            ],
        ),
    )

    # A choice that needs the mailed link: the mail, the page it opens, its confirmation.
    result.page(
        client,
        "choices: asked to confirm",
        reverse("portal:change_consent"),
        "post",
        purpose="marketing_email",
        granted="yes",
    )
    result.mails("confirm a choice")
    link = CONFIRM.search(mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    result.page(client, "confirm a choice", link)
    result.page(client, "choice confirmed", link, "post")

    # The public lead form: the page, an error, the thanks, its mails and link.
    form = reverse("leads:form", args=[lead_form.slug])
    result.page(client, "lead form", form)
    result.page(client, "lead form: error", form, "post", email="", website="")
    fields = {"full_name": "Rina", "company": "", "website": "", "purposes": ["marketing_email"]}
    result.page(
        client, "lead form: thanks", form, "post", email=f"rina{number}@example.org", **fields
    )
    result.mails("lead form")
    link = CONFIRM.search(mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    result.page(client, "lead: confirm", link)
    result.page(client, "lead: confirmed", link, "post")
    # A customer who already agreed is told so by mail.
    client.post(form, {"email": customer.email, **fields})
    result.mails("lead form: already agreed")
    mail.outbox.clear()

    # A new address: the code to it, the confirm page, the mail to the old one, undo.
    result.page(
        client,
        "email change: asked",
        reverse("portal:change_email"),
        "post",
        email=f"dewi.baru{number}@example.net",
    )
    code = code_from(mail.outbox[-1])
    result.mails("email change: code")
    mail.outbox.clear()
    result.page(
        client, "email change: confirmed", reverse("portal:confirm_email"), "post", code=code
    )
    result.mails("email change: told the old address")
    undo = UNDO.search(mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    result.page(client, "email change: undo", undo)
    result.page(client, "email change: undone", undo, "post")

    # Closing the account, last: its mail and the page that follows.
    from tests.portal.conftest import sign_in

    customer.refresh_from_db()
    sign_in(client, customer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    result.page(
        client, "close account: done", reverse("portal:close_account"), "post", confirm="on"
    )
    result.mails("account closed")
    mail.outbox.clear()
    result.data |= {customer.email}
    return result


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The walk submits the lead form and asks for codes several times."""
    cache.clear()
    yield
    cache.clear()


def test_every_interface_string_of_the_portal_the_lead_form_and_their_mails_is_indonesian(
    client, make_staff, django_capture_on_commit_callbacks
):
    english = walk(client, "en-gb", 1, make_staff, django_capture_on_commit_callbacks)
    client.cookies.clear()
    indonesian = walk(client, "id", 2, make_staff, django_capture_on_commit_callbacks)
    assert len(indonesian.renders) == len(english.renders)
    mails = [name for name in indonesian.renders if name.startswith("mail ")]
    # Signing in, confirming a choice, the lead form's link and "already agreed", the code
    # to a new address, the note to the old one, the closed account's certificate.
    assert len(mails) == 7, mails
    data = english.data | indonesian.data | _language_names()
    found = {}
    for (name, id_texts), en_texts in zip(
        indonesian.renders.items(), english.renders.values(), strict=True
    ):
        same = sorted(text for text in id_texts & en_texts if untranslated(text, data))
        if same:
            found[name] = same
    assert not found, "Untranslated in Bahasa Indonesia:\n" + "\n".join(
        f"{name}: {texts}" for name, texts in found.items()
    )
