"""Dashboard forms: they validate shape; business rules stay in the services, whose field
messages the views copy onto these forms."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import ALL_FIELDS, FIELD_LABELS, Field
from access.roles import Role
from consent.models import Purpose
from customers.selectors import CustomerFilters
from disposal.models import CarrierKind, IncidentDecision, SanitizationMethod
from privacy.models import RejectionReason, RequestChannel, RequestKind, VerificationMethod

RECEIVED_ON_LIMIT = timedelta(days=365)

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Email, phone, external id, order number or name"),
        max_length=254,
        help_text=_(
            "An exact value, or whole words of the name. Phone numbers with their country "
            "code, e.g. +44 20 7946 0000."
        ),
    )


class FilterForm(forms.Form):
    consent_purpose = forms.ChoiceField(label=_("Consent to"), required=False)
    consent_granted = forms.ChoiceField(label=_("Consent given"), choices=YES_NO, required=False)
    category = forms.ChoiceField(label=_("Bought from category"), required=False)
    joined_from = forms.DateField(label=_("Joined on or after"), required=False)
    joined_to = forms.DateField(label=_("Joined on or before"), required=False)
    purchased_since = forms.DateField(label=_("Bought something since"), required=False)
    no_purchase_since = forms.DateField(label=_("Bought nothing since"), required=False)
    open_requests = forms.ChoiceField(label=_("Open requests"), choices=YES_NO, required=False)
    restricted = forms.ChoiceField(label=_("Processing restricted"), choices=YES_NO, required=False)

    def __init__(self, *args, categories: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        purposes = Purpose.objects.order_by("code").values_list("code", "name")
        self.fields["consent_purpose"].choices = [("", _("Any purpose")), *purposes]
        self.fields["category"].choices = [("", _("Any category"))] + [(c, c) for c in categories]
        for name in ("joined_from", "joined_to", "purchased_since", "no_purchase_since"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def to_filters(self) -> CustomerFilters:
        data = self.cleaned_data
        return CustomerFilters(
            consent_purpose=data["consent_purpose"],
            consent_granted=_yes_no(data["consent_granted"]),
            category=data["category"],
            joined_from=data["joined_from"],
            joined_to=data["joined_to"],
            purchased_since=data["purchased_since"],
            no_purchase_since=data["no_purchase_since"],
            restricted=_yes_no(data["restricted"]),
        )

    def open_requests_filter(self) -> bool | None:
        return _yes_no(self.cleaned_data["open_requests"])


REVEAL_FIELD_LABELS = FIELD_LABELS
BREAK_GLASS_CHOICE = _("Another reason, typed below (break-glass: flagged for review)")


def purpose_label(item) -> str:
    """An item as a reveal purpose, naming the fields it reveals when not all."""
    if item.fields == ALL_FIELDS:
        return item.label
    shown = ", ".join(str(FIELD_LABELS[field]) for field in Field if field in item.fields)
    return _("%(item)s (reveals only: %(fields)s)") % {"item": item.label, "fields": shown}


class RevealForm(forms.Form):
    fields_to_reveal = forms.MultipleChoiceField(
        label=_("Show"), widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.ChoiceField(label=_("Why do you need to see it?"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when no open item fits. Say what you are doing for the customer."),
    )

    def __init__(self, *args, fields: list[str], items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields_to_reveal"].choices = [
            (field, REVEAL_FIELD_LABELS[Field(field)]) for field in fields
        ]
        self.fields["purpose"].choices = [(item.purpose, purpose_label(item)) for item in items] + [
            ("reason:", BREAK_GLASS_CHOICE)
        ]

    def purpose_parts(self) -> tuple[str, str]:
        kind, _sep, ref = self.cleaned_data["purpose"].partition(":")
        return kind, ref


class OpenRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
    channel = forms.ChoiceField(label=_("Received by"), choices=RequestChannel.choices)
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        help_text=_(
            "The day the request reached us, e.g. the postmark of a letter. "
            "The deadline is one calendar month from this day. Blank means today."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["received_on"].initial = today
        self.fields["received_on"].widget.attrs.update(
            {"max": today.isoformat(), "min": (today - RECEIVED_ON_LIMIT).isoformat()}
        )

    def clean_received_on(self):
        today = timezone.localdate()
        day = self.cleaned_data["received_on"] or today
        if day > today:
            raise forms.ValidationError(_("The day it was received cannot be in the future."))
        if day < today - RECEIVED_ON_LIMIT:
            raise forms.ValidationError(
                _("The day it was received cannot be more than a year ago.")
            )
        return day


def staff_choices():
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.PRIVACY_OFFICER, Role.SUPPORT_AGENT])
        .distinct()
        .order_by("username")
    )
    return [("", _("Nobody"))] + [(str(user.pk), user.get_username()) for user in users]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = staff_choices()


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How did you verify the requester?"), choices=VerificationMethod.choices
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"), coerce=int, choices=[(1, _("1 month")), (2, _("2 months"))]
    )
    reason = forms.CharField(label=_("Why (complex or numerous requests)"), max_length=300)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)


class RectifyForm(forms.Form):
    email = forms.CharField(label=_("Corrected email"), required=False, max_length=254)
    full_name = forms.CharField(label=_("Corrected name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Corrected phone"), required=False, max_length=40)
    postal_address = forms.CharField(
        label=_("Corrected postal address"), required=False, max_length=500
    )

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}


def active_staff_choices(blank=None):
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .order_by("username")
    )
    choices = [(str(user.pk), user.get_username()) for user in users]
    return ([("", blank)] if blank is not None else [("", _("Choose someone"))]) + choices


class CarrierForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of carrier"), choices=CarrierKind.choices)
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_(
            "Words for the equipment, such as an asset tag or “Backup tape 2026-03”. "
            "Never personal data: no names, email addresses or customer details."
        ),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Where it is kept, e.g. “Server room A, rack 2”. No personal data."),
    )
    custodian = forms.ChoiceField(label=_("Custodian (staff member)"), required=False)
    holds = forms.MultipleChoiceField(
        label=_("What it holds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The data categories on it; “key_store” for key-store data or backups."),
    )
    backups_up_to = forms.DateField(
        label=_("Backups up to (for backup media)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    encrypted = forms.TypedChoiceField(
        label=_("Encrypted at rest?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    encryption = forms.CharField(
        label=_("How it is encrypted"),
        max_length=200,
        required=False,
        help_text=_("E.g. “LUKS2, AES-XTS-512, key in the safe”. Leave empty if not encrypted."),
    )

    def __init__(self, *args, holdings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodian"].choices = active_staff_choices(blank=_("Nobody"))
        self.fields["holds"].choices = [(name, name) for name in holdings]


class SanitizeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method (NIST SP 800-88)"),
        choices=SanitizationMethod.choices,
        widget=forms.RadioSelect,
    )
    tool = forms.CharField(
        label=_("Tool or procedure"),
        max_length=200,
        help_text=_("E.g. “nvme format --ses=2”, “shredder at the vendor, certificate 123”."),
    )
    # Who performed it is the signed-in person recording it; a second staff member
    # verifies later, signed in as themselves (never chosen here).


class CloseIncidentForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What was decided about notification?"),
        choices=IncidentDecision.choices,
        widget=forms.RadioSelect,
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits the app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
