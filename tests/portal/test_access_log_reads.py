"""Issue 26, item 8: an access log people can read. The customer's own views fold into
one line a day; staff rows give the role, the detail and why, in words; times are in
the shop's zone, named; "only others" leaves the customer's own rows out."""

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from access.roles import Role
from access.services import reveal_fields
from audit.models import AuditAction, AuditEvent
from audit.services import record_access, record_event
from portal.access_log import AccessLog

pytestmark = pytest.mark.django_db(databases="__all__")


def rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def test_the_customers_own_views_are_one_line_a_day(signed_in, customer):
    for page in ("/portal/my-data/", "/portal/consents/", "/portal/my-data/"):
        signed_in.get(page)
    views = AuditEvent.objects.filter(subject_id=customer.pk, action=AuditAction.PORTAL_VIEWED)
    assert views.count() >= 3
    log = rows(signed_in.get("/portal/access-log/").content.decode())
    own = [row for row in log if "looked at your data" in row]
    assert len(own) == 1 and "looked at your data 3 times" in own[0]


def test_a_staff_row_says_the_role_the_detail_and_why(signed_in, customer, make_staff):
    reveal_fields(
        user=make_staff(Role.PRIVACY_OFFICER),
        customer_id=customer.pk,
        fields=["phone"],
        purpose_kind="reason",
        reason="Courier asks to confirm a delivery",
    )
    record_event(actor="staff:1", action=AuditAction.CUSTOMER_VIEWED, subject_id=customer.pk,
                 object_type="dashboard.customer", object_id=customer.pk, purpose="staff_view",
                 metadata={"role": "marketing"})  # fmt: skip
    page = signed_in.get("/portal/access-log/").content.decode()
    [reveal] = [row for row in rows(page) if "phone" in row]
    assert "Privacy officer" in reveal and "looked at your phone number" in reveal
    assert "A reason the staff member wrote down" in reveal and "reason:" not in page
    [view] = [row for row in rows(page) if "Marketing" in row]
    assert "Working on your customer record" in view and "staff view" not in page


def test_times_are_in_the_shops_zone_and_the_zone_is_named(signed_in, customer, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    event = record_access(actor="system", action=AuditAction.CUSTOMER_VIEWED,
                          subject_id=customer.pk, object_type="customers.customer",
                          purpose="account")  # fmt: skip
    page = signed_in.get("/portal/access-log/").content.decode()
    assert "Times are in the Asia/Jakarta time zone." in page
    [row] = [row for row in rows(page) if "Custodian" in row and "profile" in row]
    local = event.occurred_at.astimezone(ZoneInfo("Asia/Jakarta"))
    assert date_format(local, "DATETIME_FORMAT") in row
    assert date_format(event.occurred_at.astimezone(UTC), "DATETIME_FORMAT") not in row


def test_only_others_leaves_the_customers_own_rows_out(signed_in, customer):
    record_access(actor="system", action=AuditAction.CUSTOMER_VIEWED, subject_id=customer.pk,
                  object_type="customers.customer", purpose="account")  # fmt: skip
    signed_in.get("/portal/my-data/")
    everyone = rows(signed_in.get("/portal/access-log/").content.decode())
    assert any(" You " in f" {row} " for row in everyone)
    others = rows(signed_in.get("/portal/access-log/?who=others").content.decode())
    assert others and all(" You " not in f" {row} " for row in others)
    assert any("Custodian" in row for row in others)


def test_a_long_log_pages_newest_first_and_reads_only_what_a_page_needs(signed_in, customer):
    """Years of storefront reads: the page merges the staff and shop rows with the
    customer's own views folded a day each, newest first, and reads the newest rows of
    each only as far as the page (LIMIT), never the whole log."""
    signed_in.get("/portal/my-data/")  # the customer's own view: one folded row today
    before = len(AccessLog(customer.pk))
    with transaction.atomic():
        for _ in range(60):
            record_event(
                actor="api-key:shop",
                action=AuditAction.CUSTOMER_VIEWED,
                object_type="customers.customer",
                object_id=customer.pk,
                subject_id=customer.pk,
                purpose="order_fulfilment",
            )
    log = AccessLog(customer.pk)
    total = before + 60
    assert len(log) == total
    with CaptureQueriesContext(connection) as queries:
        first = log[0:25]
    reads = [query["sql"] for query in queries.captured_queries]
    assert len(reads) <= 3  # the events, the folded days, the shop's name once
    assert all("LIMIT 25" in sql for sql in reads if "audit_auditevent" in sql)
    assert [row.when for row in first] == sorted((row.when for row in first), reverse=True)
    whole = list(log)
    assert whole[:25] == first and len(whole) == total
    assert sum(row.day_only for row in whole) == 1  # today's own views, folded
    assert whole[25:50] == log[25:50]

    page = signed_in.get(reverse("portal:access_log"), {"page": 3})
    assert page.status_code == 200
    assert len(page.context["rows"]) == total - 50
