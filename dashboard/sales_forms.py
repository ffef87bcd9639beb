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


def _owner_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody yet")
    )


class _LeadDetailsForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.CharField(label=_("Email address"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, help_text=_("e.g. +62 812 3456 7890")
    )
    source = forms.SlugField(
        label=_("Source"), max_length=100, help_text=_("Where you met: e.g. expo-2026, phone")
    )
    owner = _owner_field()
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=200,
        required=False,
        help_text=_("e.g. Send the price list"),
    )
    next_step_on = forms.DateField(
        label=_("Next step on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_username()
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def contact(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("full_name", "company", "email", "phone")
        }


class NewLeadForm(_LeadDetailsForm):
    """A lead staff met, with the evidence of what the person agreed to."""

    purposes = forms.MultipleChoiceField(
        label=_("What the person agreed to"), widget=forms.CheckboxSelectMultiple, required=False
    )
    agreed_by = forms.ChoiceField(label=_("How they agreed"))
    notice = forms.ChoiceField(
        label=_("How they got the notice"),
        widget=forms.RadioSelect,
        help_text=_("Each choice ticked needs its notice read out to them or sent to them."),
    )

    def __init__(self, *args, purposes, agreed_by, notices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = purposes
        self.fields["agreed_by"].choices = [("", _("Choose…")), *agreed_by]
        self.fields["notice"].choices = notices
        self.order_fields(["full_name", "company", "email", "phone", "source"])


class EditLeadForm(_LeadDetailsForm):
    pass


class LeadNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was said or agreed. Only staff who work leads read it."),
    )
