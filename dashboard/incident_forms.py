"""Forms for incidents on the privacy desk: record a breach, say whom it touches
(counts and categories), record whom it was reported to. Shape only; the rules (not in
the future, not before discovery) are disposal.incidents'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disposal.carriers import known_holdings
from disposal.models import ReportRecipient
from disposal.vocabulary import holding_name
from portal.presentation import category_sort_key

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment_field(label, help_text):
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[MOMENT_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MOMENT_FORMAT),
    )


def _category_choices():
    return [(code, holding_name(code)) for code in sorted(known_holdings(), key=category_sort_key)]


class _CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Categories of data affected"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    customers_affected = forms.IntegerField(
        label=_("Number of customers affected"),
        required=False,
        min_value=0,
        help_text=_("A count, never names. Leave blank while it is not known."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = _category_choices()


class BreachForm(_CategoriesForm):
    summary = forms.CharField(
        label=_("What happened"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In a few words, without names, addresses or other personal data."),
    )
    discovered_at = _moment_field(
        _("When it was discovered"),
        _("The notification deadlines count from this moment."),
    )
    encrypted = forms.BooleanField(
        label=_("The data was encrypted and the key is safe"), required=False
    )
    field_order = ["summary", "discovered_at", "categories", "customers_affected", "encrypted"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["discovered_at"].initial = now
        self.fields["discovered_at"].widget.attrs["max"] = now.strftime(MOMENT_FORMAT)


class AssessForm(_CategoriesForm):
    pass


class ReportForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Reported to"), choices=ReportRecipient.choices)
    reported_at = _moment_field(_("When"), "")
    reference = forms.CharField(
        label=_("Their reference"),
        max_length=200,
        required=False,
        help_text=_("A case number or letter reference; no personal data."),
    )
    customers_notified = forms.IntegerField(
        label=_("Customers notified (a count)"), required=False, min_value=0
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["reported_at"].initial = now
        self.fields["reported_at"].widget.attrs["max"] = now.strftime(MOMENT_FORMAT)
