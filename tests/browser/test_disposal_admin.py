"""The disposal admin, driven in Chromium: staff cannot open erasures there (the privacy
desk does, after verifying the requester) and watch them run to done, register
processors without their secret ever coming back, edit retention periods, and only read
certificates and webhook deliveries."""

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from customers.models import Customer
from disposal.models import (
    DeliveryStatus,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    ErasureStep,
    Processor,
    RetentionCategory,
    RetentionPolicy,
    WebhookDelivery,
)
from disposal.processors import save_processor
from disposal.services import request_erasure
from tests.factories import CustomerFactory
from vault import registry
from vault.services import subject_pseudonym

pytestmark = [
    pytest.mark.browser,
    # The live server's thread only sees committed rows.
    pytest.mark.django_db(transaction=True, databases="__all__"),
    # WhiteNoise warns when STATIC_ROOT was never collected; the live server serves static.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ERASURES = "/admin/disposal/erasurerequest/"
PROCESSORS = "/admin/disposal/processor/"
POLICIES = "/admin/disposal/retentionpolicy/"
RECORDS = "/admin/disposal/disposalrecord/"
DELIVERIES = "/admin/disposal/webhookdelivery/"
ROWS = "#result_list tbody tr"
ADD_LINK = "#content-main a.addlink"  # not the sidebar's links to adding other models
ERRORS = ".errorlist"
SECRET = "whsec-Zq8v-not-for-echoing-4417"


def _en_gb(value) -> str:
    with translation.override("en-gb"):
        return formats.date_format(value)


def test_staff_cannot_open_an_erasure_from_the_admin(staff_page: Page, live_server):
    """Erasures start on the privacy desk after the requester is verified (issue 25)."""
    CustomerFactory()
    response = staff_page.goto(live_server.url + ERASURES)
    assert response.status == 200
    expect(staff_page.locator("#content-main")).to_be_visible()
    expect(staff_page.locator(ADD_LINK)).to_have_count(0)
    assert staff_page.goto(f"{live_server.url}{ERASURES}add/").status == 403
    assert not ErasureRequest.objects.exists()


def test_staff_watch_an_erasure_run_to_done(staff_page: Page, live_server):
    ada = CustomerFactory(email="ada@example.com", full_name="Ada Lovelace")
    kept = CustomerFactory()
    request_erasure(customer_id=ada.pk, source=ErasureSource.STAFF, actor="staff:1")

    staff_page.goto(live_server.url + ERASURES)
    request = ErasureRequest.objects.get()
    # Done: the request names the customer by pseudonym only.
    assert request.subject_id is None
    assert request.subject_pseudonym == subject_pseudonym(ada.pk)
    assert request.source == ErasureSource.STAFF
    assert request.status == ErasureStatus.DONE
    assert not Customer.objects.filter(pk=ada.pk).exists()
    assert Customer.objects.filter(pk=kept.pk).exists()

    row = staff_page.locator(ROWS).filter(has_text=str(request.pk))
    expect(row).to_have_count(1)
    expect(row.locator("td.field-status")).to_have_text(str(ErasureStatus.DONE.label))
    expect(row.locator("td.field-source")).to_have_text(ErasureSource.STAFF.label)

    response = staff_page.goto(f"{live_server.url}{ERASURES}{request.pk}/change/")
    assert response.status == 200
    steps = staff_page.locator(".field-steps_done .readonly")
    for step in ErasureStep:
        expect(steps).to_contain_text(step.value)
    expect(staff_page.locator(".field-status .readonly")).to_have_text(
        str(ErasureStatus.DONE.label)
    )
    expect(staff_page.locator(".field-due_by .readonly")).to_have_text(_en_gb(request.due_by))
    expect(staff_page.locator("input[name=_save]")).to_have_count(0)
    html = staff_page.content()
    assert str(request.pk) in html
    assert str(ada.pk) not in html
    assert ada.pk.hex not in html
    assert str(request.subject_pseudonym) not in html
    assert "ada@example.com" not in html


def test_staff_must_give_a_new_processor_a_webhook_secret(staff_page: Page, live_server):
    staff_page.goto(f"{live_server.url}{PROCESSORS}add/")
    _fill_processor(staff_page, secret="")
    staff_page.click("input[name=_save]")

    expect(staff_page.locator(f".field-new_webhook_secret {ERRORS}")).to_have_text(
        "A new processor needs a webhook secret."
    )
    assert not Processor.objects.exists()


def test_staff_add_a_processor_whose_secret_is_never_shown(staff_page: Page, live_server):
    staff_page.goto(f"{live_server.url}{PROCESSORS}add/")
    expect(staff_page.locator("#id_new_webhook_secret")).to_have_attribute("type", "password")
    _fill_processor(staff_page, secret=SECRET)
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(live_server.url + PROCESSORS)

    processor = Processor.objects.get(name="Mailhouse Ltd")
    assert processor.agreement_reference == "DPA-2024-017"
    assert processor.agreement_signed_on.isoformat() == "2024-03-01"
    assert processor.categories == ["profile"]
    assert processor.webhook_url == "https://hooks.mailhouse.example/erasure"
    assert Processor.objects.get(pk=processor.pk).webhook_secret == SECRET
    expect(staff_page.locator(ROWS).filter(has_text="Mailhouse Ltd")).to_have_count(1)
    assert SECRET not in staff_page.content()

    staff_page.goto(f"{live_server.url}{PROCESSORS}{processor.pk}/change/")
    secret_input = staff_page.locator("#id_new_webhook_secret")
    expect(secret_input).to_have_attribute("type", "password")
    expect(secret_input).to_have_value("")
    expect(staff_page.locator("#id_name")).to_have_value("Mailhouse Ltd")
    assert SECRET not in staff_page.content()
    expect(staff_page.locator("a.deletelink")).to_have_count(0)

    # Saving the change page with the secret left empty keeps the stored one.
    staff_page.fill("#id_agreement_reference", "DPA-2024-017b")
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(live_server.url + PROCESSORS)
    processor = Processor.objects.get(pk=processor.pk)
    assert processor.agreement_reference == "DPA-2024-017b"
    assert processor.webhook_secret == SECRET


def _fill_processor(page: Page, *, secret: str) -> None:
    page.fill("#id_name", "Mailhouse Ltd")
    page.fill("#id_agreement_reference", "DPA-2024-017")
    page.fill("#id_agreement_signed_on", "2024-03-01")
    page.check("input[name=categories][value=profile]")
    page.fill("#id_webhook_url", "https://hooks.mailhouse.example/erasure")
    page.fill("#id_new_webhook_secret", secret)


def test_staff_see_and_edit_retention_policies_but_cannot_delete_them(
    staff_page: Page, live_server
):
    staff_page.goto(live_server.url + POLICIES)

    rows = staff_page.locator(ROWS)
    expect(rows).to_have_count(4)
    for category in ("inactive_customers", "interactions", "purchase_detail", "unconverted_leads"):
        policy = RetentionPolicy.objects.get(category=category)
        row = _policy_row(staff_page, policy)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(RetentionCategory(category).label)
        expect(row.locator("td.field-keep_days")).to_have_text(str(policy.keep_days))
    expect(staff_page.locator("select[name=action] option[value=delete_selected]")).to_have_count(0)

    policy = RetentionPolicy.objects.get(category="interactions")
    staff_page.goto(f"{live_server.url}{POLICIES}{policy.pk}/change/")
    expect(staff_page.locator("a.deletelink")).to_have_count(0)
    staff_page.fill("#id_keep_days", "400")
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(live_server.url + POLICIES)

    assert RetentionPolicy.objects.get(pk=policy.pk).keep_days == 400
    row = _policy_row(staff_page, policy)
    expect(row.locator("td.field-keep_days")).to_have_text("400")
    assert staff_page.goto(f"{live_server.url}{POLICIES}{policy.pk}/delete/").status == 403


def test_staff_see_the_dry_run_count_before_forcing_a_period_under_the_floor(
    staff_page: Page, live_server
):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(2):
        CustomerFactory()
    Customer.objects.update(updated_at=timezone.now() - timedelta(days=40))
    policy = RetentionPolicy.objects.get(category="inactive_customers")
    staff_page.goto(f"{live_server.url}{POLICIES}{policy.pk}/change/")
    staff_page.fill("#id_keep_days", "7")
    with staff_page.expect_navigation():
        staff_page.click("input[name=_save]")
    errors = staff_page.locator(f".field-keep_days {ERRORS}")
    expect(errors).to_contain_text("Under 30 days needs forcing. Dry run: 2 would go")
    staff_page.screenshot(path="test-artifacts/retention-floor-refused.png", full_page=True)
    assert RetentionPolicy.objects.get(pk=policy.pk).keep_days == 3 * 365

    staff_page.check("#id_force")
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(live_server.url + POLICIES)
    saved = RetentionPolicy.objects.get(pk=policy.pk)
    assert saved.keep_days == 7 and saved.below_floor_forced


def _policy_row(page: Page, policy: RetentionPolicy):
    return page.locator(ROWS).filter(has=page.locator(f"a[href$='/{policy.pk}/change/']"))


@pytest.mark.parametrize("changelist", [RECORDS, DELIVERIES], ids=["records", "deliveries"])
def test_staff_cannot_add_disposal_records_or_webhook_deliveries(
    staff_page: Page, live_server, changelist
):
    response = staff_page.goto(live_server.url + changelist)
    assert response.status == 200
    expect(staff_page.locator("#content-main")).to_be_visible()
    expect(staff_page.locator(ADD_LINK)).to_have_count(0)
    expect(staff_page.locator("select[name=action] option[value=delete_selected]")).to_have_count(0)
    assert staff_page.goto(f"{live_server.url}{changelist}add/").status == 403
    # Control: the same selector does find the add link where staff may add (processors).
    staff_page.goto(live_server.url + PROCESSORS)
    expect(staff_page.locator(ADD_LINK)).to_have_count(1)


def test_staff_choose_processor_categories_from_the_registrys_names(staff_page: Page, live_server):
    staff_page.goto(f"{live_server.url}{PROCESSORS}add/")
    boxes = staff_page.locator("input[type=checkbox][name=categories]")
    offered = sorted(boxes.evaluate_all("(inputs) => inputs.map((input) => input.value)"))
    assert offered == sorted({entry.category for entry in registry.entries()})
    assert {"profile", "purchases", "interactions"} <= set(offered)
    _fill_processor(staff_page, secret=SECRET)
    staff_page.check("input[name=categories][value=purchases]")
    staff_page.fill("#id_slug", "mailhouse")
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(live_server.url + PROCESSORS)
    processor = Processor.objects.get(name="Mailhouse Ltd")
    assert processor.categories == ["profile", "purchases"] and processor.slug == "mailhouse"


def test_staff_send_a_failed_erasure_notice_again(staff_page: Page, live_server):
    customer = CustomerFactory()
    processor = save_processor(
        processor=Processor(
            name="Down Co", agreement_reference="DPA-9", agreement_signed_on="2026-01-01",
            categories=["profile"], webhook_url="http://127.0.0.1:9/down",
        ),
        webhook_secret=SECRET,
    )  # fmt: skip
    request = ErasureRequest.objects.create(
        subject_id=customer.pk, subject_pseudonym=subject_pseudonym(customer.pk),
        source=ErasureSource.STAFF, requested_by="op", due_by="2026-12-31",
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        processor=processor, erasure_request=request, notice_customer_id=str(customer.pk),
        status=DeliveryStatus.FAILED, attempts=8, next_attempt_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    staff_page.set_viewport_size({"width": 375, "height": 800})
    staff_page.goto(live_server.url + DELIVERIES)
    staff_page.check(f"input[name=_selected_action][value='{delivery.pk}']")
    staff_page.select_option("select[name=action]", "redeliver_selected")
    staff_page.click("button[name=index]")
    expect(staff_page.locator(".messagelist")).to_contain_text("1 notice(s) queued again.")
    delivery.refresh_from_db()
    # Sent again at once (the test server is down, so it waits for its next attempt).
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
