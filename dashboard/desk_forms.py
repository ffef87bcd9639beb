"""Forms of what staff record for a customer from the 360 view or a ticket: a contact
(a call: channel, topic, outcome, note) and a choice on the customer's behalf ("stop
calling me"). Shape only; the rules are customers.services' and service.choices'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import NoticeDelivery, NoticeLanguage, Purpose
from consent.vocabulary import purpose_name
from customers.models import InteractionChannel, InteractionKind, InteractionOutcome
from privacy.models import RequestChannel
from service.choices import CHOICE_CHANNELS, NOT_HERE, NOTE_MAX

WITHDRAW, GRANT = "withdraw", "grant"


class ChoiceForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))
    choice = forms.ChoiceField(
        label=_("The customer's choice"),
        widget=forms.RadioSelect,
        choices=[
            (WITHDRAW, _("Withdraw: stop using it")),
            (GRANT, _("Agree: only with the notice read out or sent")),
        ],
        initial=WITHDRAW,
    )
    # A select, not radios: "Phone" stays the one label of the reveal form's phone box.
    channel = forms.ChoiceField(
        label=_("The customer told us by"),
        choices=[
            (code, label) for code, label in RequestChannel.choices if code in CHOICE_CHANNELS
        ],
        initial=RequestChannel.PHONE,
    )
    notice_delivery = forms.ChoiceField(
        label=_("The notice (for an agreement)"),
        widget=forms.RadioSelect,
        required=False,
        choices=[("", _("Not needed: a withdrawal")), *NoticeDelivery.choices],
        initial="",
    )
    notice_language = forms.ChoiceField(
        label=_("The notice's language"),
        choices=NoticeLanguage.choices,
        initial=NoticeLanguage.EN,
        required=False,
        help_text=_("The language the notice was read out or sent in, and the link's mail."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional: what the customer said. Stored encrypted; the customer sees it with "
            "their data."
        ),
    )

    def __init__(self, *args, **kwargs):
        # Own ids: the 360 view holds the reveal and contact forms too (their "purpose",
        # "channel" and "note" fields would share ids and labels otherwise).
        kwargs.setdefault("auto_id", "choice_%s")
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [
            (code, purpose_name(code))
            for code in Purpose.objects.order_by("code").values_list("code", flat=True)
            if code not in NOT_HERE
        ]

    def clean_notice_language(self) -> str:
        return self.cleaned_data["notice_language"] or NoticeLanguage.EN

    @property
    def granted(self) -> bool:
        return self.cleaned_data["choice"] == GRANT


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Contact by"), choices=InteractionChannel.choices, initial=InteractionChannel.PHONE
    )
    kind = forms.ChoiceField(label=_("Topic"), choices=InteractionKind.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=InteractionOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What was said"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Stored encrypted under the customer's key; the customer sees it with their data."
        ),
    )
    # Logged from a ticket's page: go back there (one of this customer's tickets).
    ticket = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
