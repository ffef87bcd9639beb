"""Access-review forms: the filters (a GET form) and the "reviewed" mark's note. Shape
only; access.reviews says what a mark may be."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.display import PURPOSE_KIND_LABELS
from access.reviews import NOTE_MAX
from access.selectors import AccessFilters, Show, staff_who_accessed

SHOW_CHOICES = [
    (Show.ALL.value, _("Everything")),
    (Show.FLAGGED.value, _("Flagged only")),
    (Show.TO_REVIEW.value, _("Flagged, not yet reviewed")),
]


class AccessFilterForm(forms.Form):
    staff = forms.ChoiceField(label=_("Staff member"), required=False)
    purpose_kind = forms.ChoiceField(label=_("Purpose"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", _("Everyone"))] + [
            (str(user.pk), user.get_username()) for user in staff_who_accessed()
        ]
        self.fields["purpose_kind"].choices = [("", _("Any purpose")), *PURPOSE_KIND_LABELS.items()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose a date on or after the first one."))
        return data

    def filters(self) -> AccessFilters:
        data = self.cleaned_data
        return AccessFilters(
            staff_id=int(data["staff"]) if data.get("staff") else None,
            purpose_kind=data.get("purpose_kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            show=Show(data.get("show") or Show.ALL),
        )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you checked and concluded. Seen by privacy officers only."),
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput)
