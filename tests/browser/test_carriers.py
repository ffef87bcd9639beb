"""The data-carrier register in Chromium, as a privacy officer uses it: register a disk,
record its sanitization, sign out, and have a second person sign in and verify it (the
recorder is never offered the button), then open its printable certificate; at desktop
width and at 375 px. Screenshots go to test-artifacts/carriers/."""

import pytest
from playwright.sync_api import Page, expect

from access.roles import Role
from disposal.models import CarrierStatus, DataCarrier
from tests.browser.steps import PASSWORD, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


shot = screenshots("carriers")


@pytest.mark.parametrize("width", [1280, 375])
def test_register_a_disk_sanitize_it_with_a_verifier_and_open_its_certificate(
    page: Page, live_server, make_staff, width
):
    page.set_viewport_size({"width": width, "height": 900})
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    make_staff(Role.ADMINISTRATOR, username="victor", password=PASSWORD)
    sign_in(page, live_server, "pia")

    page.get_by_role("link", name="Privacy desk").first.click()
    page.get_by_role("link", name="Data carriers").click()
    page.get_by_role("link", name="Register a carrier").click()
    expect(page.locator("main")).to_contain_text("Never personal data")
    page.get_by_label("Kind of carrier").select_option("database-disk")
    page.get_by_label("Label", exact=True).fill("DB disk SN-9001")
    page.get_by_label("Location").fill("Server room A, rack 2")
    page.get_by_label("profile").check()
    page.get_by_label("key_store").check()
    page.get_by_label("Yes").check()
    page.get_by_label("How it is encrypted").fill("LUKS2 AES-XTS-512")
    shot(page, f"01-register-{width}")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("DB disk SN-9001")
    expect(page.locator("main")).to_contain_text("In service")
    page.get_by_label("Purge (firmware erase, degauss, or equivalent)").check()
    page.get_by_label("Tool or procedure").fill("nvme format --ses=1")
    expect(page.get_by_label("Verified by")).to_have_count(0)  # nobody names a verifier
    page.get_by_role("button", name="Record sanitization").click()
    expect(page.locator("main")).to_contain_text("Awaiting verification")
    expect(page.locator("main")).to_contain_text("another staff member must sign in")
    expect(page.get_by_role("button", name="I checked it: verify the sanitization")).to_have_count(
        0
    )
    assert DataCarrier.objects.get().status == CarrierStatus.AWAITING_VERIFICATION
    shot(page, f"02-awaiting-verification-{width}")

    # The second person signs in as themselves and confirms it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "victor")
    page.goto(f"{live_server.url}/dashboard/privacy/carriers/{DataCarrier.objects.get().pk}/")
    page.get_by_role("button", name="I checked it: verify the sanitization").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of media sanitization")
    record = DataCarrier.objects.select_related("sanitization").get().sanitization
    main = page.locator("main")
    expect(main).to_contain_text(str(record.pk))
    expect(main).to_contain_text("victor")
    expect(main).to_contain_text("pia")
    expect(main).to_contain_text("nvme format --ses=1")
    expect(main).to_contain_text("Purge")
    no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overflow
    shot(page, f"03-certificate-{width}")

    page.get_by_role("link", name="Back to the carrier").click()
    page.get_by_role("link", name="Back to the carriers").click()
    expect(page.locator("main")).to_contain_text("Sanitized")
    page.get_by_role("link", name="Certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of media sanitization")


def test_a_lost_laptop_opens_an_incident_and_an_expired_export_is_confirmed_destroyed(
    page: Page, live_server, make_staff
):
    from datetime import timedelta

    from django.utils import timezone

    from disposal import carriers

    page.set_viewport_size({"width": 375, "height": 800})
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    laptop = carriers.register_carrier(
        kind="workstation",
        label="Laptop LT-31",
        holds=["profile", "purchases"],
        encrypted=False,
        actor="staff:1",
    )
    export = carriers.register_copy(
        kind="exported-file", source="dashboard", holds=["profile"], actor="staff:1"
    )
    DataCarrier.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(days=3))
    sign_in(page, live_server, "pia")

    page.goto(f"{live_server.url}/dashboard/privacy/carriers/{laptop.pk}/")
    page.get_by_role("button", name="Report lost").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report this carrier lost?")
    page.get_by_role("button", name="Report lost").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A data carrier was lost")
    main = page.locator("main")
    expect(main).to_contain_text("Your profile, Your purchases")
    expect(main).to_contain_text("Art. 33")
    shot(page, "04-incident-375")
    page.get_by_label("Authority notified").check()
    page.get_by_role("button", name="Close the incident").click()
    expect(main).to_contain_text("Closed: Authority notified")

    page.get_by_role("link", name="Privacy desk").first.click()
    page.get_by_role("link", name="past expiry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copies past expiry")
    shot(page, "05-overdue-375")
    page.get_by_role("button", name="Confirm destroyed").click()
    expect(main).to_contain_text("No copies are past expiry.")
    assert DataCarrier.objects.get(pk=export.pk).destroyed_confirmed_at is not None
