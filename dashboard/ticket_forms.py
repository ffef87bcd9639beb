"""Service-desk forms: shape only; the service's field messages are copied onto them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.policy import Field
from dashboard.forms import BREAK_GLASS_CHOICE
from service.models import NoteVisibility, TicketChannel, TicketPriority, TicketStatus, TicketTopic
from service.selectors import ticket_agents
from service.services import NOTE_MAX, SUBJECT_MAX


def agent_choices():
    return [("", _("Nobody"))] + [(str(user.pk), user.get_username()) for user in ticket_agents()]


def agent_from(value):
    """The chosen agent, or None for nobody (the service checks who may be assigned)."""
    return ticket_agents().filter(pk=value).first() if value else None


class LookupForm(forms.Form):
    query = forms.CharField(
        label=_("Caller's phone number, email, order number or name"),
        max_length=254,
        help_text=_(
            "Exactly as given; a name by whole words (Morin finds Sam Morin). Phone numbers "
            "with their country code, e.g. +62 812 3456 7890."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class NewTicketForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Contact by"),
        choices=[c for c in TicketChannel.choices if c[0] != TicketChannel.WEB],
        initial=TicketChannel.PHONE,
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=TicketTopic.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        help_text=_("A short summary. Stored encrypted under the customer's key."),
    )
    note = forms.CharField(
        label=_("First note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note_visibility = forms.ChoiceField(
        label=_("Who may read the note"),
        choices=NoteVisibility.choices,
        initial=NoteVisibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    complaint = forms.BooleanField(label=_("This is a complaint"), required=False)
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Add to the thread"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=NoteVisibility.choices,
        initial=NoteVisibility.INTERNAL,
        widget=forms.RadioSelect,
        help_text=_("Replies to the customer appear in their portal; internal notes never do."),
    )


class UpdateTicketForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=TicketPriority.choices,
        help_text=_("Changing it moves the due time."),
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    complaint = forms.BooleanField(label=_("Complaint"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = agent_choices()


class TicketRevealForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Why do you need to read it?"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when no open item fits. Say what you are doing for the customer."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [
            (item.purpose, item.label) for item in items if Field.NOTES in item.fields
        ] + [("reason:", BREAK_GLASS_CHOICE)]

    def purpose_parts(self) -> tuple[str, str]:
        kind, _sep, ref = self.cleaned_data["purpose"].partition(":")
        return kind, ref
