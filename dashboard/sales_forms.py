"""Forms of the sales pages (leads, deals, imports, capture forms): shape only; the
leads services hold the rules and their messages are copied onto these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import LawfulBasis
from leads.models import DealStage, LeadStatus


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [(value, label) for value, label in LeadStatus.choices if value != "converted"]
        self.fields["status"].choices = [("", _("Any status")), *statuses]
        self.fields["source"].choices = [("", _("Any source"))] + [(s, s) for s in sources]


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(value, label) for value, label in LeadStatus.choices if value != "converted"],
    )


class ConvertForm(forms.Form):
    account_agreed = forms.BooleanField(
        label=_("The person agreed to become a customer (account)"), required=False
    )
    external_id = forms.CharField(
        label=_("Customer id in your shop (optional)"), max_length=100, required=False
    )


class DealForm(forms.Form):
    title = forms.CharField(label=_("Title (no personal data)"), max_length=100)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=12, decimal_places=2)
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices)
    expected_close = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MoveDealForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=DealStage.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    source = forms.SlugField(label=_("Source name"), max_length=100, help_text=_("e.g. expo-2026"))
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis of the list"),
        choices=[("", _("Given per row")), *LawfulBasis.choices],
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and report, store nothing"), required=False, initial=True
    )


class CaptureFormForm(forms.Form):
    slug = forms.SlugField(label=_("Address"), max_length=50, help_text=_("/forms/<address>/"))
    name = forms.CharField(label=_("Title shown on the form"), max_length=100)
    source = forms.SlugField(label=_("Source name"), max_length=100)
    purposes = forms.MultipleChoiceField(
        label=_("Choices offered"), widget=forms.CheckboxSelectMultiple
    )
    ask_phone = forms.BooleanField(label=_("Ask for a phone number"), required=False)
    ask_company = forms.BooleanField(label=_("Ask for a company"), required=False)

    def __init__(self, *args, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [(p.code, p.name) for p in purposes]
