"""Lead writes: capture (form, import, API, staff), double opt-in, contact, status,
conversion into a customer, deals. Each action validates first, writes in one
transaction and records its audit event (ids and codes only, never contact data).

No lead is stored without at least one purpose ticked: the agreement is what allows
holding the data at all. A lead's fields are encrypted under its own data key.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from consent import opt_in
from consent import services as consent_services
from consent.confirmations import request_confirmations
from consent.evidence import Confirmation
from consent.models import ConsentSource, LawfulBasis, Purpose
from consent.selectors import current_notices, has_consent
from customers import validation
from customers.exceptions import DuplicateCustomer
from customers.models import Customer
from customers.services import create_customer
from leads import scoring
from leads.models import (
    CaptureMethod,
    Deal,
    DealStage,
    Lead,
    LeadConfirmation,
    LeadConsent,
    LeadForm,
    LeadStatus,
)
from vault.routers import KEYS_DB
from vault.services import create_data_key, destroy_key

# Purposes a lead may agree to: never `account` (a lead has none) nor Art. 9 data.
NOT_FOR_LEADS = {consent_services.ACCOUNT, consent_services.SENSITIVE_PERSONALIZATION}
CONFIRMATION_SALT = "custodian.leads.confirmation"
METHOD_SOURCE = {
    CaptureMethod.FORM: ConsentSource.FORM,
    CaptureMethod.IMPORT: ConsentSource.IMPORT,
    CaptureMethod.API: ConsentSource.API,
    CaptureMethod.STAFF: ConsentSource.STAFF,
}


class Outcome:
    CREATED = "created"
    MERGED = "merged"
    CUSTOMER = "existing_customer"


@dataclass
class Capture:
    """What a capture did. `tokens` are double opt-in links to mail ({purpose: token}):
    to the lead's address, or to the customer's when the address is a customer's.
    `already` are purposes needing double opt-in that the customer has granted: they get
    a mail saying so instead of a link, so that every address that ticked such a purpose
    gets a mail, customer or not."""

    outcome: str
    lead: Lead | None = None
    customer_id: uuid.UUID | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    recorded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def lead_purposes() -> list[Purpose]:
    return list(Purpose.objects.exclude(code__in=NOT_FOR_LEADS).order_by("code"))


def clean_contact(values: dict) -> dict:
    """Validate contact fields (messages name the problem, never the value)."""
    cleaners = {
        "email": validation.clean_email,
        "full_name": lambda value: validation.clean_full_name(value) or None,
        "phone": validation.clean_phone,
        "company": validation.clean_postal_address,  # same rule: optional text up to 500
    }
    cleaned, errors = {}, {}
    for name, value in values.items():
        if value in (None, "") and name == "email":
            cleaned[name] = None
            continue
        try:
            cleaned[name] = cleaners[name](value)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors and not cleaned.get("email") and not cleaned.get("phone"):
        errors["email"] = [_("Give an email address or a phone number.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_purposes(purposes, *, allowed: set[str] | None = None) -> list[str]:
    """The purposes ticked: known, open to leads and at least one."""
    if not isinstance(purposes, list | tuple | set) or not all(
        isinstance(code, str) for code in purposes
    ):
        raise ValidationError({"consents": [_("Expected a list of purposes.")]})
    notices = current_notices()
    open_to_leads = (set(notices) - NOT_FOR_LEADS) & (allowed or set(notices))
    unknown = sorted(set(purposes) - open_to_leads)
    if unknown:
        # Named only when shaped like a code: a list's column may hold anything.
        raise ValidationError(
            {
                "consents": [
                    _("Unknown purpose: %(code)s.") % {"code": code}
                    if re.fullmatch(r"[a-z0-9_]{1,50}", code)
                    else _("Unknown purpose.")
                    for code in unknown
                ]
            }
        )
    if not purposes:
        raise ValidationError(
            {"consents": [_("Tick at least one choice: without one we keep nothing.")]}
        )
    return sorted(set(purposes))


def _find_lead(cleaned: dict) -> Lead | None:
    if cleaned.get("email"):
        digests = Lead._meta.get_field("email_index").digests(cleaned["email"])
        return Lead.objects.select_for_update().filter(email_index__in=digests).first()
    digests = Lead._meta.get_field("phone_index").digests(cleaned["phone"])
    return (
        Lead.objects.select_for_update()
        .filter(phone_index__in=digests, email_index__isnull=True)
        .exclude(status=LeadStatus.CONVERTED)
        .first()
    )


def _find_customer(cleaned: dict) -> uuid.UUID | None:
    if cleaned.get("email"):
        digests = Customer._meta.get_field("email_index").digests(cleaned["email"])
        return Customer.objects.filter(email_index__in=digests).values_list("pk", flat=True).first()
    digests = Customer._meta.get_field("phone_index").digests(cleaned["phone"])
    return Customer.objects.filter(phone_index__in=digests).values_list("pk", flat=True).first()


def _token(confirmation: LeadConfirmation) -> str:
    payload = {
        "r": str(confirmation.pk),
        "l": str(confirmation.lead_id),
        "p": confirmation.purpose_id,
        "v": confirmation.notice.version,
    }
    return signing.dumps(payload, salt=CONFIRMATION_SALT)


def capture_lead(
    *,
    contact: dict,
    purposes: list[str],
    source: str,
    method: CaptureMethod,
    channel: str,
    actor: str,
    lawful_basis: str = LawfulBasis.CONSENT,
    given_at: datetime | None = None,
    notice_versions: dict[str, int] | None = None,
    allowed_purposes: set[str] | None = None,
    language: str | None = None,
) -> Capture:
    """Store a lead with the evidence of what it agreed to, or merge into the lead that
    has the same email (or phone), never doubling it. An address that is already a
    customer's stores no lead. Purposes needing double opt-in are granted only through
    the link (`Capture.tokens`), except for imports, whose evidence is the list's.
    Nothing is stored when no purpose is ticked. `language`: the language the person
    read the notices in (the active one when None), recorded with each choice."""
    errors = {}
    try:
        cleaned = clean_contact(contact)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        chosen = clean_purposes(purposes, allowed=allowed_purposes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = [_("Choose a lawful basis.")]
    if errors:
        raise ValidationError(errors)
    notices = _notices_shown(chosen, notice_versions or {})
    mismatched = [
        code
        for code in chosen
        if notices[code].purpose.lawful_basis == LawfulBasis.CONSENT
        and lawful_basis != LawfulBasis.CONSENT
    ]
    if mismatched:
        raise ValidationError(
            {"lawful_basis": [_("These purposes need consent: %s.") % ", ".join(mismatched)]}
        )
    now = timezone.now()
    given_at = given_at or now
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        customer_id = _find_customer(cleaned)
        if customer_id is not None:
            return _capture_for_customer(customer_id, chosen, method, actor, language)
        lead = _find_lead(cleaned)
        outcome = Outcome.MERGED if lead else Outcome.CREATED
        if lead is None:
            lead = Lead(source=source, method=method, last_contact_at=now, **cleaned)
            create_data_key(subject_id=lead.pk)
            lead.save(force_insert=True)
        else:
            for name, value in cleaned.items():
                if value and not getattr(lead, name):
                    setattr(lead, name, value)
            lead.last_contact_at = now
            lead.save()
        result = Capture(outcome=outcome, lead=lead)
        for code in chosen:
            if consent_services.needs_confirmation(code) and method != CaptureMethod.IMPORT:
                confirmation = LeadConfirmation.objects.create(
                    lead=lead,
                    purpose_id=code,
                    notice=notices[code],
                    notice_language=notices[code].language_shown(language),
                    method=method,
                    channel=channel,
                    expires_at=now + timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS),
                )
                result.tokens[code] = _token(confirmation)
            else:
                LeadConsent.objects.create(
                    lead=lead,
                    purpose_id=code,
                    notice=notices[code],
                    notice_language=notices[code].language_shown(language),
                    lawful_basis=lawful_basis,
                    method=method,
                    channel=channel,
                    given_at=given_at,
                )
                result.recorded.append(code)
        rescore(lead)
        record_event(
            actor=actor,
            action=AuditAction.LEAD_CAPTURED,
            object_type="leads.lead",
            object_id=lead.pk,
            subject_id=lead.pk,
            purpose="leads",
            metadata={
                "method": method,
                "outcome": outcome,
                "recorded": len(result.recorded),
                "pending": len(result.tokens),
            },
        )
    return result


def _notices_shown(chosen: list[str], versions: dict[str, int]) -> dict:
    current = current_notices()
    notices = {}
    errors = []
    for code in chosen:
        version = versions.get(code)
        if version is None or version == current[code].version:
            notices[code] = current[code]
            continue
        notice = (
            current[code].purpose.notices.filter(version=version).prefetch_related("texts").first()
        )
        if notice is None:
            errors.append(_("No notice version %(v)s for %(code)s.") % {"v": version, "code": code})
        notices[code] = notice
    if errors:
        raise ValidationError({"notice_version": errors})
    return notices


def _capture_for_customer(customer_id, chosen, method, actor, language) -> Capture:
    """The address is a customer's: no lead. Purposes the customer has not granted and
    that need double opt-in get a confirmation link to the customer's own address."""
    customer = Customer.objects.get(pk=customer_id)
    result = Capture(outcome=Outcome.CUSTOMER, customer_id=customer_id)
    for code in chosen:
        if method == CaptureMethod.IMPORT or not consent_services.needs_confirmation(code):
            continue
        if has_consent(customer_id, code):
            result.already.append(code)
        else:
            result.tokens[code] = opt_in.request_confirmation(
                customer=customer,
                purpose=code,
                source=METHOD_SOURCE[method],
                actor=actor,
                language=language,
            )
    return result


def mailed_purposes(purposes: list[str]) -> list[str]:
    """The ticked purposes a capture by form or API answers with a mail (a link to
    confirm, or a note that it is already granted): the same for every address, so the
    answer can say "we sent you an email" without saying whose address it is."""
    return sorted(code for code in set(purposes) if consent_services.needs_confirmation(code))


class InvalidConfirmation(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def confirm_lead_consent(*, token: str, actor: str) -> LeadConsent:
    """Follow a lead's double opt-in link: the purpose is granted under the notice shown,
    once. A forged, used, expired or outdated link changes nothing."""
    try:
        payload = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.CONSENT_CONFIRMATION_HOURS * 3600
        )
    except signing.SignatureExpired as error:
        raise InvalidConfirmation("expired") from error
    except signing.BadSignature as error:
        raise InvalidConfirmation("forged") from error
    confirmation = (
        LeadConfirmation.objects.select_for_update()
        .select_related("notice", "lead")
        .filter(pk=payload.get("r"), lead_id=payload.get("l"), purpose_id=payload.get("p"))
        .first()
    )
    if confirmation is None or confirmation.notice.version != payload.get("v"):
        raise InvalidConfirmation("forged")
    if confirmation.confirmed_at is not None:
        raise InvalidConfirmation("used")
    if confirmation.expires_at <= timezone.now():
        raise InvalidConfirmation("expired")
    if current_notices()[confirmation.purpose_id].pk != confirmation.notice_id:
        raise InvalidConfirmation("outdated")
    now = timezone.now()
    confirmation.confirmed_at = now
    confirmation.save(update_fields=["confirmed_at"])
    lead = confirmation.lead
    consent = LeadConsent.objects.create(
        lead=lead,
        purpose_id=confirmation.purpose_id,
        notice=confirmation.notice,
        notice_language=confirmation.notice_language,
        lawful_basis=LawfulBasis.CONSENT,
        method=confirmation.method,
        channel=confirmation.channel,
        given_at=now,
    )
    lead.last_contact_at = now
    lead.save(update_fields=["last_contact_at", "updated_at"])
    rescore(lead)
    record_event(
        actor=actor,
        action=AuditAction.LEAD_CONSENT_CONFIRMED,
        object_type="leads.lead",
        object_id=lead.pk,
        subject_id=lead.pk,
        purpose=confirmation.purpose_id,
        metadata={"notice_version": confirmation.notice.version},
    )
    return consent


def rescore(lead: Lead) -> int:
    score = scoring.score_of(scoring.explain(lead))
    if score != lead.score:
        Lead.objects.filter(pk=lead.pk).update(score=score)
        lead.score = score
    return score


def _event(lead: Lead, actor: str, action: AuditAction, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="leads.lead",
        object_id=lead.pk,
        subject_id=lead.pk,
        purpose="leads",
        metadata=metadata,
    )


def _require_open(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("This lead is already a customer.")]})


@transaction.atomic
def update_lead(*, lead: Lead, actor: str, **contact) -> Lead:
    """Correct a lead's contact fields (only those given)."""
    _require_open(lead)
    cleaned = clean_contact({**_contact_of(lead), **contact})
    changed = [name for name in contact if getattr(lead, name) != cleaned[name]]
    if "email" in changed and cleaned["email"]:
        digests = Lead._meta.get_field("email_index").digests(cleaned["email"])
        if Lead.objects.filter(email_index__in=digests).exclude(pk=lead.pk).exists():
            raise ValidationError({"email": [_("Another lead has this email address.")]})
    for name in changed:
        setattr(lead, name, cleaned[name])
    if changed:
        lead.save()
        rescore(lead)
        _event(lead, actor, AuditAction.LEAD_UPDATED, fields=",".join(sorted(changed)))
    return lead


def _contact_of(lead: Lead) -> dict:
    return {name: getattr(lead, name) for name in ("email", "full_name", "phone", "company")}


@transaction.atomic
def record_contact(*, lead: Lead, actor: str) -> Lead:
    """We reached the lead (call, email): counts for scoring and restarts retention."""
    _require_open(lead)
    lead.contact_count += 1
    lead.last_contact_at = timezone.now()
    if lead.status == LeadStatus.NEW:
        lead.status = LeadStatus.CONTACTED
    lead.save(update_fields=["contact_count", "last_contact_at", "status", "updated_at"])
    rescore(lead)
    _event(lead, actor, AuditAction.LEAD_CONTACTED, count=lead.contact_count)
    return lead


@transaction.atomic
def set_lead_status(*, lead: Lead, status: str, actor: str, owner=None) -> Lead:
    """Move a lead to new, contacted, qualified or disqualified (conversion is its own
    action); optionally assign an owner."""
    _require_open(lead)
    if status not in LeadStatus.values or status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("Choose new, contacted, qualified or disqualified.")]})
    now = timezone.now()
    lead.status = status
    if status == LeadStatus.QUALIFIED:
        lead.qualified_at = now
    if status == LeadStatus.DISQUALIFIED:
        lead.disqualified_at = now
    if owner is not None:
        lead.owner = owner
    lead.save()
    _event(lead, actor, AuditAction.LEAD_STATUS_CHANGED, status=status)
    return lead


def convert_lead(
    *, lead: Lead, actor: str, account_agreed: bool, external_id: str | None = None
) -> Customer:
    """Turn a qualified lead into a customer: the customer's ledger receives the lead's
    whole consent history with its evidence (notice versions, when, how, where), its
    deals move to the customer, and the lead keeps only what the source report needs
    (source, status, dates): its contact fields go and its data key is destroyed."""
    if lead.status != LeadStatus.QUALIFIED:
        raise ValidationError({"status": [_("Only a qualified lead can be converted.")]})
    if not account_agreed:
        raise ValidationError(
            {"account_agreed": [_("The person must agree to a customer account first.")]}
        )
    if not lead.email:
        raise ValidationError({"email": [_("A customer needs an email address.")]})
    # A double opt-in grant carries over only when the lead confirmed it through the
    # mailed link (an imported one did not): otherwise the customer is asked to confirm.
    confirmed = dict(
        lead.confirmations.filter(confirmed_at__isnull=False).values_list(
            "purpose_id", "confirmed_at"
        )
    )
    unconfirmed = {
        item.purpose_id
        for item in lead.consents.all()
        if item.granted
        and consent_services.needs_confirmation(item.purpose_id)
        and item.purpose_id not in confirmed
    }
    history = [
        consent_services.CarriedConsent(
            purpose=item.purpose_id,
            notice_id=item.notice_id,
            granted=item.granted,
            source=METHOD_SOURCE[item.method],
            channel=item.channel,
            given_at=item.given_at,
            notice_language=item.notice_language,
            confirmation=Confirmation(confirmed[item.purpose_id], opt_in.EMAIL_LINK, vouched=False)
            if item.granted and item.purpose_id in confirmed
            else None,
        )
        for item in lead.consents.all()
        if not (item.granted and item.purpose_id in unconfirmed)
    ]
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status != LeadStatus.QUALIFIED:
            raise ValidationError({"status": [_("Only a qualified lead can be converted.")]})
        try:
            customer = create_customer(
                external_id=external_id or f"lead-{lead.pk}",
                email=lead.email,
                full_name=lead.full_name or "",
                phone=lead.phone,
                consents={consent_services.ACCOUNT: True},
                actor=actor,
                source=ConsentSource.STAFF,
            )
        except DuplicateCustomer as error:
            raise ValidationError(
                {"email": [_("A customer with this email or external id already exists.")]}
            ) from error
        consent_services.carry_over_consents(customer=customer, history=history, actor=actor)
        request_confirmations(
            customer_id=customer.pk,
            purposes=sorted(unconfirmed),
            source=ConsentSource.STAFF,
            actor=actor,
        )
        Deal.objects.filter(lead=lead).update(lead=None, customer=customer, subject_id=customer.pk)
        lead.confirmations.all().delete()
        # Staff notes and the next step are the lead's: its key goes, so do they.
        lead.notes.all().delete()
        lead.next_step_on = None
        for name in ("email", "full_name", "phone", "company", "next_step"):
            setattr(lead, name, None)
        lead.status = LeadStatus.CONVERTED
        lead.converted_at = timezone.now()
        lead.customer = customer
        lead.save()
        destroy_key(subject_id=lead.pk)
        record_event(
            actor=actor,
            action=AuditAction.LEAD_CONVERTED,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose="account",
            metadata={"lead": lead.pk, "consents_carried": len(history)},
        )
    return customer


@transaction.atomic
def save_deal(
    *,
    actor: str,
    title: str,
    value: Decimal,
    stage: str = DealStage.PROSPECTING,
    lead: Lead | None = None,
    customer: Customer | None = None,
    deal: Deal | None = None,
    expected_close=None,
    owner=None,
) -> Deal:
    """Open a deal with a lead or a customer, or change one (stage, value, close date)."""
    errors = {}
    if deal is None and (lead is None) == (customer is None):
        errors["lead"] = [_("A deal is with one lead or one customer.")]
    if lead is not None and lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        errors["lead"] = [_("This lead is closed.")]
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > 100:
        errors["title"] = [_("Enter a title of 1 to 100 characters.")]
    if stage not in DealStage.values:
        errors["stage"] = [_("Choose a stage.")]
    if not isinstance(value, Decimal) or value < 0 or value >= Decimal("1e10"):
        errors["value"] = [_("Enter an amount of 0 or more.")]
    if errors:
        raise ValidationError(errors)
    if deal is None:
        subject = lead or customer
        deal = Deal(lead=lead, customer=customer, subject_id=subject.pk)
    deal.title, deal.value, deal.stage = title.strip(), value, stage
    deal.expected_close = expected_close
    if owner is not None:
        deal.owner = owner
    deal.save()
    if deal.lead_id:
        rescore(deal.lead)
    record_event(
        actor=actor,
        action=AuditAction.DEAL_SAVED,
        object_type="leads.deal",
        object_id=deal.pk,
        subject_id=deal.subject_id,
        purpose="leads",
        metadata={"stage": stage},
    )
    return deal


@transaction.atomic
def save_lead_form(
    *,
    actor: str,
    slug: str,
    name: str,
    source: str,
    purposes: list[str],
    ask_phone: bool = False,
    ask_company: bool = False,
) -> LeadForm:
    """Create or change a capture form (its address is its slug)."""
    chosen = clean_purposes(purposes)
    lead_form, created = LeadForm.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "source": source,
            "purposes": chosen,
            "ask_phone": ask_phone,
            "ask_company": ask_company,
            "active": True,
        },
    )
    record_event(
        actor=actor,
        action=AuditAction.LEAD_FORM_SAVED,
        object_type="leads.leadform",
        object_id=lead_form.pk,
        purpose="leads",
        metadata={"created": created},
    )
    return lead_form
