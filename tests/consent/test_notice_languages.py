"""Issue 26 item 4: a notice version holds its text per language (en, id), each with its
hash; the portal, the public lead form and the API show the reader's language (English
when a version has no text in it); every consent records the language it was shown in,
through each surface; staff publish a changed text as a new version."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from consent import opt_in
from consent.models import ConsentConfirmation, ConsentEvent, Notice, NoticeText
from consent.notices import publish_notice
from consent.selectors import current_notices
from leads.models import Lead, LeadConsent, LeadForm
from service.choices import record_choice_for_customer

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def signed_in(client, customer):
    from tests.portal.conftest import sign_in

    return sign_in(client, customer)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    from api.models import Scope, StorefrontKey

    _key, secret = StorefrontKey.objects.create_key(name="shop", scopes=list(Scope.values))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


ID = {"HTTP_ACCEPT_LANGUAGE": "id"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ANALYTICS_EN = "We may use your activity, aggregated, to understand and improve our service."
ANALYTICS_ID = "Kami dapat menggunakan aktivitas Anda, secara agregat"


def _latest(customer, purpose):
    return ConsentEvent.objects.filter(customer=customer, purpose=purpose).first()


def test_every_reference_notice_has_an_english_and_an_indonesian_text_with_its_hash():
    for notice in current_notices().values():
        texts = {text.language: text for text in notice.texts.all()}
        assert set(texts) == {"en", "id"}
        assert texts["en"].text != texts["id"].text
        assert all(t.content_hash == Notice.hash_text(t.text) for t in texts.values())


def test_the_portal_shows_the_notice_in_the_readers_language(signed_in):
    indonesian = signed_in.get("/portal/consents/", **ID).content.decode()
    assert ANALYTICS_ID in indonesian and ANALYTICS_EN not in indonesian
    english = signed_in.get("/portal/consents/", **EN).content.decode()
    assert ANALYTICS_EN in english and ANALYTICS_ID not in english


def test_a_portal_choice_records_the_language_the_notice_was_shown_in(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "analytics", "granted": "yes"}, **ID)
    assert _latest(customer, "analytics").notice_language == "id"
    signed_in.post("/portal/consents/change/", {"purpose": "analytics", "granted": "no"}, **EN)
    assert _latest(customer, "analytics").notice_language == "en"


def test_a_version_without_an_indonesian_text_is_shown_and_recorded_in_english(signed_in, customer):
    text = "We count visits to improve the shop."
    notice, _ = publish_notice(
        purpose=current_notices()["analytics"].purpose,
        texts={"en": text},
        material=False,
        actor="staff:1",
    )
    assert notice.version == 2
    page = signed_in.get("/portal/consents/", **ID).content.decode()
    assert text in page
    signed_in.post("/portal/consents/change/", {"purpose": "analytics", "granted": "yes"}, **ID)
    event = _latest(customer, "analytics")
    assert (event.notice.version, event.notice_language) == (2, "en")


def test_a_double_opt_in_keeps_the_language_from_the_request_to_the_grant(signed_in, customer):
    mail.outbox.clear()
    signed_in.post(
        "/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"}, **ID
    )
    confirmation = ConsentConfirmation.objects.get(customer=customer, purpose="marketing_email")
    assert confirmation.notice_language == "id"
    token = opt_in.confirmation_token(confirmation)
    page = signed_in.get(f"/portal/consents/confirm/{token}/", **ID).content.decode()
    assert "Kami dapat mengirimkan penawaran dan berita kepada Anda melalui email" in page
    opt_in.confirm_consent(token=token, actor="customer")
    assert _latest(customer, "marketing_email").notice_language == "id"


@pytest.fixture
def lead_form():
    return LeadForm.objects.create(
        slug="news", name="News", source="website", purposes=["marketing_post", "analytics"]
    )


def test_the_lead_form_shows_and_records_the_readers_language(client, lead_form):
    page = client.get("/forms/news/", **ID).content.decode()
    assert "Kami dapat mengirimkan penawaran dan katalog kepada Anda melalui pos." in page
    assert "We may send you offers and catalogues by post." not in page
    client.post(
        "/forms/news/",
        {
            "email": "lia@example.org",
            "full_name": "",
            "website": "",
            "purposes": ["marketing_post"],
        },
        **ID,
    )
    lead = Lead.objects.get()
    assert LeadConsent.objects.get(lead=lead).notice_language == "id"


def test_a_lead_converted_to_a_customer_keeps_the_language_of_its_evidence(lead_form, client):
    from leads.services import convert_lead, set_lead_status

    client.post(
        "/forms/news/",
        {"email": "rio@example.org", "full_name": "Rio", "website": "", "purposes": ["analytics"]},
        **ID,
    )
    lead = set_lead_status(lead=Lead.objects.get(), status="qualified", actor="staff:1")
    customer = convert_lead(lead=lead, actor="staff:1", account_agreed=True)
    assert _latest(customer, "analytics").notice_language == "id"


def test_the_api_records_the_requests_accept_language_or_english(api_client, customer):
    client = api_client
    url = f"/api/v1/customers/{customer.pk}/consents/"
    client.post(url, {"purpose": "analytics", "granted": True}, format="json", **ID)
    assert _latest(customer, "analytics").notice_language == "id"
    client.post(url, {"purpose": "analytics", "granted": False}, format="json")
    assert _latest(customer, "analytics").notice_language == "en"
    purposes = {p["code"]: p for p in client.get("/api/v1/purposes/", **ID).json()}
    assert purposes["analytics"]["notice_text"].startswith(ANALYTICS_ID)
    assert set(purposes["analytics"]) == {  # the contract's fields, no more
        "code",
        "name",
        "lawful_basis",
        "notice_version",
        "notice_text",
    }


def test_staff_record_the_language_the_notice_reached_the_customer_in(make_customer):
    customer = make_customer(consents={"account": True})
    recorded = record_choice_for_customer(
        customer=customer,
        purpose="marketing_post",
        granted=True,
        channel="phone",
        notice_delivery="read_out",
        notice_language="id",
        actor="staff:1",
    )
    assert recorded.state.event.notice_language == "id"
    with pytest.raises(Exception) as refused:
        record_choice_for_customer(
            customer=customer,
            purpose="marketing_post",
            granted=True,
            channel="phone",
            notice_delivery="read_out",
            notice_language="fr",
            actor="staff:1",
        )
    assert "notice_language" in refused.value.message_dict


def test_a_changed_text_is_a_new_version_and_the_same_texts_publish_nothing():
    current = current_notices()["marketing_post"]
    texts = {t.language: t.text for t in current.texts.all()}
    purpose = current.purpose
    same, published = publish_notice(purpose=purpose, texts=texts, material=False, actor="s")
    assert (same.pk, published) == (current.pk, False)
    changed = {**texts, "id": texts["id"] + " Anda dapat berhenti kapan saja."}
    notice, published = publish_notice(purpose=purpose, texts=changed, material=True, actor="s")
    assert published and notice.version == current.version + 1 and notice.material
    old = NoticeText.objects.get(notice=current, language="id")
    assert old.text == texts["id"]  # the version customers saw is never edited
    assert NoticeText.objects.get(notice=notice, language="id").content_hash == (
        Notice.hash_text(changed["id"])
    )
    with pytest.raises(Exception) as refused:
        publish_notice(
            purpose=purpose, texts={"id": "Hanya bahasa Indonesia"}, material=False, actor="s"
        )
    assert "text_en" in refused.value.message_dict


def test_staff_edit_a_notices_texts_in_the_admin_as_a_new_version(client):
    admin = get_user_model().objects.create_superuser("notices-admin", password="x" * 20)
    client.force_login(admin)
    current = current_notices()["marketing_phone"]
    url = f"/admin/consent/notice/{current.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Kami dapat menelepon" in form.content.decode()
    response = client.post(
        url,
        {
            "text_en": "We may call you about offers, at most once a month.",
            "text_id": "Kami dapat menelepon Anda tentang penawaran, paling banyak sebulan sekali.",
        },
    )
    assert response.status_code == 302
    latest = current_notices()["marketing_phone"]
    assert latest.version == current.version + 1
    assert latest.text_in("id").text.endswith("sebulan sekali.")
    assert current.texts.get(language="en").text == "We may call or text you about offers."


def test_an_api_double_opt_in_is_mailed_and_recorded_in_the_requests_language(
    api_client, customer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    url = f"/api/v1/customers/{customer.pk}/consents/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            url, {"purpose": "marketing_email", "granted": True}, format="json", **ID
        )
    assert response.status_code == 202
    confirmation = ConsentConfirmation.objects.get(customer=customer, purpose="marketing_email")
    assert confirmation.notice_language == "id"
    [message] = mail.outbox
    assert message.subject == "Konfirmasi bahwa Anda ingin menerima penawaran melalui email"
    opt_in.confirm_consent(token=opt_in.confirmation_token(confirmation), actor="customer")
    assert _latest(customer, "marketing_email").notice_language == "id"
