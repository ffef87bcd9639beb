"""Forms of the campaign pages: they validate shape; the rules (no sensitive category,
what each channel needs) are campaigns' own, whose messages the views copy here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import CallOutcome, Campaign, Channel, Segment
from disposal.models import Processor


class SegmentForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Bought from any of these categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sensitive categories (health and the like) are never a criterion."),
    )
    count_channel = forms.ChoiceField(
        label=_("Count who can be reached by"), choices=Channel.choices, initial=Channel.EMAIL
    )

    class Meta:
        model = Segment
        fields = [
            "name",
            "categories",
            "bought_within_days",
            "not_bought_within_days",
            "min_orders",
            "max_orders",
            "spend_band",
            "joined_from",
            "joined_to",
            "consent_channel",
        ]
        labels = {
            "name": _("Name"),
            "bought_within_days": _("Bought something in the last (days)"),
            "not_bought_within_days": _("Bought nothing in the last (days)"),
            "min_orders": _("At least this many orders"),
            "max_orders": _("At most this many orders"),
            "spend_band": _("Spend band"),
            "joined_from": _("Joined on or after"),
            "joined_to": _("Joined on or before"),
            "consent_channel": _("Agreed to offers by"),
        }
        help_texts = {"spend_band": _("Total spent so far: low, medium or high.")}
        widgets = {
            "joined_from": forms.DateInput(attrs={"type": "date"}),
            "joined_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, categories: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(name, name) for name in categories]
        self.fields["spend_band"].choices = [("", _("Any")), *self.fields["spend_band"].choices[1:]]
        self.fields["consent_channel"].choices = [
            ("", _("Any channel")),
            *self.fields["consent_channel"].choices[1:],
        ]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "segment",
            "channel",
            "subject",
            "body",
            "include_offers",
            "offers_limit",
            "holdout_percent",
            "results_days",
            "processor",
        ]
        labels = {
            "name": _("Name"),
            "segment": _("Segment"),
            "channel": _("Channel"),
            "subject": _("Email subject"),
            "body": _("Message"),
            "include_offers": _("Include each customer's offers"),
            "offers_limit": _("Offers per customer"),
            "holdout_percent": _("Hold-out share (%)"),
            "results_days": _("Count purchases for (days)"),
            "processor": _("Mailing house (post only)"),
        }
        help_texts = {
            "body": _("Plain text, the same for everyone. Leave a blank line between paragraphs."),
            "holdout_percent": _(
                "Picked at random when you send and never contacted, to measure the effect."
            ),
            "processor": _("Only a processor whose agreement covers profile data can get it."),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["processor"].queryset = Processor.objects.filter(active=True)
        self.fields["processor"].required = False


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened on the call"),
        choices=CallOutcome.choices,
        widget=forms.RadioSelect,
    )
    call_back_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for “Call back later”: the day and time the customer asked for."),
    )


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_at"].help_text = _(
            "Day and time, %(zone)s time. The audience is counted again when it goes out."
        ) % {"zone": time_zone}


class PreviewForm(forms.Form):
    n = forms.IntegerField(label=_("Recipient number"), min_value=1, required=False)
