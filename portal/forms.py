"""Portal forms: shape only. Business rules (what a valid phone is, who may sign in)
stay in the services, whose field messages the views add to these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from service.models import TicketTopic
from service.services import NOTE_MAX, SUBJECT_MAX


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address your account uses."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("The six digits in the email we sent."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("With the country code, for example +62 21 555 0100."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    postal_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )


class NewEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        help_text=_("We send a code to this address; it becomes yours once you enter it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class ConsentForm(forms.Form):
    purpose = forms.CharField(widget=forms.HiddenInput)
    granted = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class SensitiveConsentForm(forms.Form):
    explicit = forms.BooleanField(
        label=_(
            "I explicitly agree that what I buy in sensitive categories (such as health) "
            "is used to suggest products to me."
        ),
        required=True,
    )


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and my data will be erased, and that this "
            "cannot be undone."
        ),
        required=True,
    )


class ContactForm(forms.Form):
    topic = forms.ChoiceField(label=_("What is it about?"), choices=TicketTopic.choices)
    subject = forms.CharField(
        label=_("Subject"), max_length=SUBJECT_MAX, help_text=_("In a few words.")
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("An order number helps us find it quickly."),
    )


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your reply"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
