import pytest
from django.core import mail

from leads.models import Lead, LeadConsent, LeadForm

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def lead_form():
    return LeadForm.objects.create(
        slug="newsletter",
        name="Newsletter",
        source="website",
        purposes=["marketing_email", "marketing_post"],
        ask_company=True,
    )


def _post(client, lead_form, **data):
    base = {"email": "form@example.org", "full_name": "Fay Form", "company": "", "website": ""}
    return client.post(f"/forms/{lead_form.slug}/", {**base, **data})


def test_the_form_shows_each_purpose_with_its_notice_version(client, lead_form):
    response = client.get("/forms/newsletter/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="marketing_email"' in body and 'value="marketing_post"' in body
    assert "notice version 1" in body
    assert "<script" not in body and "style=" not in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_submission_without_a_tick_is_refused_and_nothing_stored(client, lead_form):
    response = _post(client, lead_form)
    assert response.status_code == 400
    assert "we keep nothing" in response.content.decode()
    assert Lead.objects.count() == 0


def test_the_honeypot_stores_nothing_but_looks_like_success(client, lead_form):
    response = _post(client, lead_form, purposes=["marketing_post"], website="http://spam")
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_submission_records_the_ticks_and_mails_the_double_opt_in(client, lead_form):
    response = _post(client, lead_form, purposes=["marketing_post", "marketing_email"])
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.source, lead.method) == ("website", "form")
    assert list(LeadConsent.objects.values_list("purpose_id", "channel")) == [
        ("marketing_post", "newsletter")
    ]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["form@example.org"]
    link = next(word for word in mail.outbox[0].body.split() if "/forms/confirm/" in word)
    path = link.split("127.0.0.1:8000", 1)[1]
    assert "example.org" not in path
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert LeadConsent.objects.filter(purpose_id="marketing_email").exists()


def test_a_purpose_the_form_does_not_offer_is_refused(client, lead_form):
    response = _post(client, lead_form, purposes=["analytics"])
    assert response.status_code == 400
    assert Lead.objects.count() == 0


def test_submissions_are_rate_limited_per_client(client, lead_form, settings):
    settings.LEADS_FORM_PER_CLIENT = 2
    for _ in range(2):
        _post(client, lead_form, purposes=["marketing_post"])
    response = _post(client, lead_form, purposes=["marketing_post"], email="late@example.org")
    assert response.status_code == 429
    assert Lead.objects.count() == 1


def test_an_unknown_or_inactive_form_is_404(client, lead_form):
    lead_form.active = False
    lead_form.save()
    assert client.get("/forms/newsletter/").status_code == 404


def test_the_form_speaks_bahasa_indonesia(client, lead_form):
    client.cookies["django_language"] = "id"
    body = client.get("/forms/newsletter/").content.decode()
    assert "Alamat email" in body and "Kirim" in body


def test_a_mail_server_that_fails_keeps_the_choices_and_says_to_try_again(
    client, lead_form, settings, caplog
):
    """No error page: the lead and its ticks are recorded, the page says the mail could
    not go (in the visitor's language), and the log names the failure without the
    address. A real SMTP connection to a closed port."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = _post(client, lead_form, purposes=["marketing_post", "marketing_email"])
    body = response.content.decode()
    assert response.status_code == 200
    assert "could not send the confirmation email" in body
    assert "We sent you an email" not in body
    assert Lead.objects.count() == 1
    assert LeadConsent.objects.filter(purpose_id="marketing_post").exists()
    assert "lead confirmation mail not sent" in caplog.text
    assert "form@example.org" not in caplog.text

    client.cookies["django_language"] = "id"
    response = _post(client, lead_form, email="lain@example.org", purposes=["marketing_email"])
    assert "email konfirmasi belum dapat kami" in " ".join(response.content.decode().split())
