"""The data-carrier register's services: sanitization needs a second person signed in, a lost
carrier raises an incident with its categories, exports and disclosures register copies
with an expiry, overdue copies are listed, and retiring a master key marks old backups."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from disposal import carriers
from disposal.exports import export_customer
from disposal.models import (
    CarrierKind,
    CarrierStatus,
    DataCarrier,
    Incident,
    IncidentStatus,
    Processor,
    SanitizationRecord,
)
from disposal.processors import disclose, save_processor
from disposal.selectors import overdue_copies
from vault.exceptions import MasterKeyInUse, MasterKeyUnknown
from vault.keyring import master_keys
from vault.keys import retire_master_key

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def two_people(make_staff):
    return make_staff(Role.ADMINISTRATOR), make_staff(Role.PRIVACY_OFFICER)


def _disk(**kwargs):
    defaults = {
        "kind": CarrierKind.DATABASE_DISK,
        "label": "DB server disk SN-4411",
        "holds": ["profile", "key_store"],
        "encrypted": True,
        "encryption": "LUKS2 AES-XTS",
        "actor": "staff:1",
    }
    return carriers.register_carrier(**{**defaults, **kwargs})


def test_registering_a_carrier_is_audited_without_its_label():
    carrier = _disk()
    assert carrier.status == CarrierStatus.IN_SERVICE
    event = AuditEvent.objects.get(action=AuditAction.CARRIER_REGISTERED, object_id=carrier.pk)
    assert event.metadata == {"kind": "database-disk", "status": "in-service"}
    assert "SN-4411" not in str(event.metadata)


def test_a_label_with_an_email_address_or_an_unknown_category_is_refused():
    with pytest.raises(ValidationError) as error:
        _disk(label="laptop of ada@example.com", holds=["no_such_category"])
    assert set(error.value.message_dict) == {"label", "holds"}
    assert not DataCarrier.objects.exists()


def _recorded(performer, carrier=None, **kwargs):
    return carriers.sanitize_carrier(
        carrier=carrier or _disk(),
        method=kwargs.pop("method", "purge"),
        performed_by=performer,
        actor=kwargs.pop("actor", f"staff:{performer.pk}"),
        **kwargs,
    )


def test_a_recorded_sanitization_awaits_verification_and_names_no_verifier(two_people):
    performer, _other = two_people
    record = _recorded(performer, tool="nvme format --ses=1")
    carrier = DataCarrier.objects.get()
    assert carrier.status == CarrierStatus.AWAITING_VERIFICATION
    assert carrier.sanitized_at is None
    assert record.verified_by is None and record.verified_at is None
    event = AuditEvent.objects.get(action=AuditAction.CARRIER_SANITIZED)
    assert event.metadata["status"] == "awaiting-verification"


def test_the_performer_or_recorder_cannot_verify_their_own_sanitization(two_people, make_staff):
    performer, _other = two_people
    recorder = make_staff(Role.PRIVACY_OFFICER)
    carrier = _disk()
    _recorded(performer, carrier=carrier, actor=f"staff:{recorder.pk}")
    for same in (performer, recorder):
        with pytest.raises(ValidationError) as error:
            carriers.verify_sanitization(carrier=carrier, verifier=same)
        assert "verified_by" in error.value.message_dict
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.AWAITING_VERIFICATION
    assert not AuditEvent.objects.filter(action=AuditAction.CARRIER_SANITIZATION_VERIFIED).exists()


def test_a_second_person_verifies_and_the_record_names_both(two_people):
    performer, verifier = two_people
    carrier = _disk()
    record = _recorded(performer, carrier=carrier, method="crypto-erase")
    verified = carriers.verify_sanitization(carrier=carrier, verifier=verifier)
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.SANITIZED
    assert carrier.sanitized_at == record.performed_at
    assert (verified.performed_by, verified.verified_by) == (performer, verifier)
    assert verified.verified_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CARRIER_SANITIZATION_VERIFIED)
    assert event.actor == f"staff:{verifier.pk}"
    assert event.metadata["record"] == str(record.pk)
    with pytest.raises(ValidationError):
        carriers.verify_sanitization(carrier=carrier, verifier=verifier)


def test_the_database_refuses_a_record_verified_by_its_performer(two_people):
    performer, _other = two_people
    carrier = _disk()
    with pytest.raises(IntegrityError), transaction.atomic():
        SanitizationRecord.objects.create(
            carrier=carrier,
            method="destroy",
            performed_by=performer,
            verified_by=performer,
            verified_at=timezone.now(),
            performed_at=timezone.now(),
            recorded_by="staff:1",
        )


def test_the_database_refuses_a_verifier_without_a_time(two_people):
    performer, verifier = two_people
    with pytest.raises(IntegrityError), transaction.atomic():
        SanitizationRecord.objects.create(
            carrier=_disk(),
            method="destroy",
            performed_by=performer,
            verified_by=verifier,
            performed_at=timezone.now(),
            recorded_by="staff:1",
        )


def test_a_carrier_is_sanitized_once(two_people):
    performer, verifier = two_people
    carrier = _disk()
    _recorded(performer, carrier=carrier)
    with pytest.raises(ValidationError) as error:
        _recorded(verifier, carrier=carrier, method="destroy")
    assert "awaiting verification" in str(error.value)
    carriers.verify_sanitization(carrier=carrier, verifier=verifier)
    with pytest.raises(ValidationError) as error:
        _recorded(verifier, carrier=carrier, method="destroy")
    assert "already sanitized" in str(error.value)
    assert SanitizationRecord.objects.count() == 1


def test_crypto_erase_is_refused_for_an_unencrypted_carrier(two_people):
    performer, _verifier = two_people
    with pytest.raises(ValidationError) as error:
        _recorded(performer, carrier=_disk(encrypted=False), method="crypto-erase")
    assert "method" in error.value.message_dict


def test_a_lost_carrier_raises_an_incident_with_its_categories_and_encryption():
    carrier = _disk(
        kind=CarrierKind.REMOVABLE_MEDIUM,
        label="USB stick 7",
        holds=["profile", "purchases"],
        encrypted=False,
    )
    incident = carriers.report_lost(carrier=carrier, actor="staff:1")
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.LOST and carrier.lost_at is not None
    assert incident.categories == ["profile", "purchases"]
    assert incident.encrypted is False
    assert incident.status == IncidentStatus.OPEN
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.CARRIER_LOST, AuditAction.INCIDENT_OPENED} <= actions
    with pytest.raises(ValidationError):
        carriers.report_lost(carrier=carrier, actor="staff:1")
    assert Incident.objects.count() == 1

    carriers.close_incident(incident=incident, decision="authority", actor="staff:1")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.decision == "authority"


def test_retiring_is_audited_and_only_from_service():
    carrier = _disk()
    carriers.retire_carrier(carrier=carrier, actor="staff:1")
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.RETIRED
    event = AuditEvent.objects.get(action=AuditAction.CARRIER_RETIRED)
    assert (event.metadata["previous"], event.metadata["status"]) == ("in-service", "retired")
    with pytest.raises(ValidationError):
        carriers.retire_carrier(carrier=carrier, actor="staff:1")


def test_exports_register_a_carrier_with_an_expiry(history, settings):
    settings.CARRIER_EXPORT_EXPIRY_DAYS = 10
    customer = history()
    before = timezone.now()
    export_customer(customer_id=customer.pk, actor="portal", copy_source="portal")
    carrier = DataCarrier.objects.get()
    assert carrier.kind == CarrierKind.EXPORTED_FILE
    assert carrier.source == "portal"
    assert "purchases" in carrier.holds
    assert before + timedelta(days=10) <= carrier.expires_at <= timezone.now() + timedelta(days=10)
    # No personal data or customer id in the register.
    assert str(customer.pk) not in carrier.label


def test_an_export_that_stays_inside_registers_no_carrier(history):
    export_customer(customer_id=history().pk, actor="staff:1")
    assert not DataCarrier.objects.exists()


@pytest.fixture
def processor():
    return save_processor(
        processor=Processor(
            name="PostCo",
            agreement_reference="DPA-7",
            agreement_signed_on=date(2024, 1, 1),
            categories=["profile"],
            webhook_url="https://postco.example/hook",
        ),
        webhook_secret="s3cret",
    )


def test_disclosures_register_one_processor_copy_with_an_expiry(make_customer, processor, settings):
    settings.CARRIER_PROCESSOR_COPY_EXPIRY_DAYS = 60
    for _ in range(3):
        disclose(
            processor=processor,
            customer_id=make_customer().pk,
            categories=["profile"],
            actor="staff:1",
        )
    carrier = DataCarrier.objects.get()
    assert carrier.kind == CarrierKind.PROCESSOR_COPY
    assert carrier.processor == processor and carrier.holds == ["profile"]
    assert carrier.expires_at > timezone.now() + timedelta(days=59)


def test_overdue_copies_are_listed_until_confirmed_destroyed(history, settings):
    customer = history()
    export_customer(customer_id=customer.pk, actor="staff:1", copy_source="dashboard")
    fresh = DataCarrier.objects.get()
    export_customer(customer_id=customer.pk, actor="staff:1", copy_source="dashboard")
    old = DataCarrier.objects.exclude(pk=fresh.pk).get()
    DataCarrier.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    disk = _disk()
    assert list(overdue_copies()) == [old]

    with pytest.raises(ValidationError):
        carriers.confirm_destroyed(carrier=disk, actor="staff:1")
    carriers.confirm_destroyed(carrier=old, actor="staff:1")
    old.refresh_from_db()
    assert old.destroyed_confirmed_at is not None and old.status == CarrierStatus.RETIRED
    assert list(overdue_copies()) == []
    assert AuditEvent.objects.filter(action=AuditAction.CARRIER_DESTROYED).count() == 1


def test_key_retirement_marks_older_backup_carriers_unreadable(settings, customer):
    old_key = settings.VAULT_MASTER_KEYS[0]
    old_id = master_keys()[0][0]
    before = _disk(
        kind=CarrierKind.BACKUP_MEDIUM,
        label="Tape 2026-01",
        holds=["key_store"],
        backups_up_to=timezone.localdate() - timedelta(days=40),
    )
    after = _disk(
        kind=CarrierKind.BACKUP_MEDIUM,
        label="Tape today",
        holds=["key_store"],
        backups_up_to=timezone.localdate() + timedelta(days=1),
    )
    disk = _disk(label="Live disk")

    with pytest.raises(MasterKeyInUse):
        retire_master_key(key_id=old_id, actor="operator")  # it is the key that wraps
    with pytest.raises(MasterKeyUnknown):
        retire_master_key(key_id="0123456789abcdef", actor="operator")  # a typo

    import base64
    import os

    settings.VAULT_MASTER_KEYS = [base64.urlsafe_b64encode(os.urandom(32)).decode(), old_key]
    from vault.keys import rotate_master_key

    with pytest.raises(MasterKeyInUse):
        retire_master_key(key_id=old_id, actor="operator")  # a live key still uses it
    rotate_master_key()
    retirement = retire_master_key(key_id=old_id, actor="operator")

    assert retirement.marked == [before.pk]
    before.refresh_from_db()
    after.refresh_from_db()
    disk.refresh_from_db()
    assert before.unreadable_since is not None and before.unreadable_key == old_id
    assert after.unreadable_since is None and disk.unreadable_since is None
    event = AuditEvent.objects.get(action=AuditAction.CARRIER_UNREADABLE)
    assert event.object_id == str(before.pk)
