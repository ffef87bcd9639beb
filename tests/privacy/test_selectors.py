"""Privacy-desk reads: timeliness per kind, processors' acknowledgements, Art. 30 records."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from disposal import processors
from disposal.models import DeliveryStatus, Processor, WebhookDelivery
from disposal.services import request_erasure, run_erasure
from privacy import selectors, services
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind
from privacy.records import records_of_processing

pytestmark = pytest.mark.django_db(databases="__all__")


def _open(customer, kind, days_ago=0):
    return services.open_request(
        customer=customer,
        kind=kind,
        channel=RequestChannel.EMAIL,
        actor="system",
        received_at=timezone.now() - timedelta(days=days_ago),
    )


def test_timeliness_counts_closed_on_time_late_and_open_overdue(make_customer):
    on_time = _open(make_customer(), RequestKind.ACCESS)
    services.reject_request(request=on_time, reason="withdrawn", actor="system")
    late = _open(make_customer(), RequestKind.ACCESS, days_ago=50)
    services.reject_request(request=late, reason="unfounded", actor="system")
    _open(make_customer(), RequestKind.ACCESS, days_ago=40)  # open, overdue
    _open(make_customer(), RequestKind.ACCESS)  # open, in time
    access = next(row for row in selectors.request_timeliness() if row.kind == "access")
    assert (access.on_time, access.late, access.open_on_time, access.open_overdue) == (1, 1, 1, 1)


def test_assigned_requests_name_no_personal_data(make_customer, make_staff):
    from access.roles import Role

    agent = make_staff(Role.SUPPORT_AGENT)
    customer = make_customer(email="linus@example.com", full_name="Linus Pauling")
    request = _open(customer, RequestKind.RECTIFICATION)
    services.assign_request(request=request, assignee=agent, actor="system")
    [item] = selectors.assigned_requests(agent.pk, customer.pk)
    assert item.purpose == f"request:{request.pk}"
    assert request.short_id in item.label and "Linus" not in item.label


def test_processors_show_which_erasure_notices_they_acknowledged(customer, make_customer):
    processor = processors.save_processor(
        processor=Processor(
            name="Mailer Ltd",
            agreement_reference="DPA-7",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile"],
            webhook_url="https://mailer.example/hooks",
        ),
        webhook_secret="whsec-test-0123456789",
    )
    for person in (customer, make_customer()):
        processors.disclose(
            processor=processor, customer_id=person.pk, categories=["profile"], actor="system"
        )
        request = request_erasure(customer_id=person.pk, source="staff", actor="system")
        run_erasure(request_id=request.pk)
    first = WebhookDelivery.objects.order_by("created_at").first()
    WebhookDelivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.DELIVERED)
    [row] = selectors.processor_notices()
    assert (row.acknowledged, row.pending, row.failed) == (1, 1, 0)
    assert {delivery.pk for delivery in row.recent} == set(
        WebhookDelivery.objects.values_list("pk", flat=True)
    )
    [recipients] = [section for section in records_of_processing() if section.key == "recipients"]
    [entry] = recipients.entries
    assert entry.name == "Mailer Ltd" and ("Agreement", "DPA-7") in entry.details


def test_the_queue_leads_with_the_earliest_deadline_and_hides_closed_ones(make_customer):
    later = _open(make_customer(), RequestKind.ERASURE)
    sooner = _open(make_customer(), RequestKind.ACCESS, days_ago=35)
    closed = _open(make_customer(), RequestKind.ACCESS, days_ago=60)
    services.reject_request(request=closed, reason="withdrawn", actor="system")
    assert list(selectors.request_queue()) == [sooner, later]
    assert closed in selectors.request_queue(status="all")
    assert list(selectors.request_queue(kind="erasure")) == [later]
    assert DataSubjectRequest.objects.count() == 3
