"""The capture form's shape: fields, the purposes offered (each with the notice shown)
and a honeypot. Business rules stay in leads.services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CaptureForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    company = forms.CharField(label=_("Company (optional)"), max_length=200, required=False)
    purposes = forms.MultipleChoiceField(
        label=_("What may we do?"), widget=forms.CheckboxSelectMultiple, required=False
    )
    # Hidden from people by the stylesheet; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, lead_form, notices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not lead_form.ask_phone:
            del self.fields["phone"]
        if not lead_form.ask_company:
            del self.fields["company"]
        self.notices = [notices[code] for code in lead_form.purposes if code in notices]
        self.fields["purposes"].choices = [
            (notice.purpose_id, notice.purpose.title) for notice in self.notices
        ]
        for notice in self.notices:
            self.fields[f"notice_{notice.purpose_id}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=notice.version
            )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def notice_versions(self) -> dict[str, int]:
        return {
            notice.purpose_id: self.cleaned_data.get(f"notice_{notice.purpose_id}")
            or notice.version
            for notice in self.notices
        }
