import pytest

from audit.models import AuditEvent
from consent import services
from consent.models import ConsentEvent, Notice, Purpose
from consent.selectors import current_consents, has_consent

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_purposes_of_the_architecture_are_seeded_with_a_first_notice():
    assert set(Purpose.objects.values_list("code", flat=True)) == {
        "account",
        "personalization",
        "marketing_email",
        "marketing_post",
        "marketing_phone",
        "analytics",
        "sensitive_personalization",
    }
    for notice in Notice.objects.prefetch_related("texts"):
        assert notice.version == 1
        texts = {text.language: text for text in notice.texts.all()}
        assert set(texts) == {"en", "id"}  # every reference notice in both languages
        for text in texts.values():
            assert text.content_hash == Notice.hash_text(text.text)


def test_withdrawing_appends_to_the_ledger_and_updates_the_current_state(customer):
    assert has_consent(customer.pk, "personalization")
    state = services.set_consent(
        customer=customer, purpose="personalization", granted=False, source="portal", actor="system"
    )
    assert not state.granted
    assert not has_consent(customer.pk, "personalization")
    history = ConsentEvent.objects.filter(customer=customer, purpose="personalization")
    assert [event.granted for event in history.order_by("id")] == [True, False]
    assert AuditEvent.objects.filter(action="consent.withdrawn", subject_id=customer.pk).exists()


def test_the_ledger_is_append_only(customer):
    event = ConsentEvent.objects.filter(customer=customer).first()
    event.granted = not event.granted
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_a_withdrawal_calls_only_that_purposes_handlers_on_commit(
    customer, django_capture_on_commit_callbacks, monkeypatch
):
    called = []
    monkeypatch.setattr(services, "_withdrawal_handlers", {})
    services.register_withdrawal_handler("account", lambda **kw: called.append(("account", kw)))
    services.register_withdrawal_handler("analytics", lambda **kw: called.append(("analytics", kw)))
    with django_capture_on_commit_callbacks(execute=True):
        services.set_consent(
            customer=customer, purpose="account", granted=False, source="api", actor="api-key:k"
        )
    assert called == [("account", {"customer_id": customer.pk, "actor": "api-key:k"})]
    assert not current_consents(customer.pk)["account"].granted


def test_a_grant_calls_no_withdrawal_handler(
    customer, django_capture_on_commit_callbacks, monkeypatch
):
    called = []
    monkeypatch.setattr(services, "_withdrawal_handlers", {})
    services.register_withdrawal_handler("analytics", lambda **kw: called.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        services.set_consent(
            customer=customer, purpose="analytics", granted=True, source="api", actor="staff:1"
        )
    assert called == []
