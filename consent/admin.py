from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentEvent, Notice, NoticeLanguage, Purpose
from consent.notices import publish_notice


class NoticeInline(admin.TabularInline):
    model = Notice
    extra = 0
    fields = ["version", "languages", "material", "published_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("languages"))
    def languages(self, notice):
        return ", ".join(text.language for text in notice.texts.all())


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lawful_basis"]
    inlines = [NoticeInline]

    def has_delete_permission(self, request, obj=None):
        return False


class NoticeTextsForm(forms.ModelForm):
    """A notice's text per language. Saving never edits the version shown: changed texts
    become the purpose's next version (consent.notices.publish_notice)."""

    text_en = forms.CharField(label=_("Text in English"), widget=forms.Textarea)
    text_id = forms.CharField(
        label=_("Text in Bahasa Indonesia"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Readers in Bahasa Indonesia see the English text while this is empty."),
    )

    class Meta:
        model = Notice
        fields = ["purpose", "material"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for text in self.instance.texts.all():
                self.fields[f"text_{text.language}"].initial = text.text
            self.fields["purpose"].disabled = True

    def texts(self) -> dict[str, str]:
        return {language: self.cleaned_data[f"text_{language}"] for language in NoticeLanguage}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Staff write a notice's texts here; a change publishes a new version (the version
    customers saw stays as it was: it is their consent's evidence)."""

    form = NoticeTextsForm
    list_display = ["purpose", "version", "material", "published_at"]
    list_filter = ["purpose"]
    readonly_fields = ["version", "published_at", "hashes"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("SHA-256 of each text"))
    def hashes(self, notice):
        if notice.pk is None:
            return "-"
        return "; ".join(f"{text.language}: {text.content_hash}" for text in notice.texts.all())

    def save_model(self, request, obj, form, change):
        try:
            notice, published = publish_notice(
                purpose=form.cleaned_data["purpose"],
                texts=form.texts(),
                material=form.cleaned_data["material"],
                actor=f"staff:{request.user.pk}",
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return
        # Kept on the request: one ModelAdmin serves every request (and thread).
        request.notice_published = (notice, published)

    def save_related(self, request, form, formsets, change):
        """Nothing to save: the texts were written by publish_notice."""

    def log_change(self, request, obj, message):
        """The audit trail has the publication (consent.notice_published)."""

    def log_addition(self, request, obj, message):
        """The audit trail has the publication (consent.notice_published)."""

    def _answer(self, request):
        outcome = getattr(request, "notice_published", None)
        if outcome is None:
            return HttpResponseRedirect(request.path)
        notice, published = outcome
        if published:
            self.message_user(
                request,
                gettext("Published version %(version)s of %(purpose)s.")
                % {"version": notice.version, "purpose": notice.purpose_id},
            )
        else:
            self.message_user(
                request,
                gettext("The texts are unchanged: no new version was published."),
                messages.INFO,
            )
        return HttpResponseRedirect(reverse("admin:consent_notice_change", args=[notice.pk]))

    def response_change(self, request, obj):
        return self._answer(request)

    def response_add(self, request, obj, post_url_continue=None):
        return self._answer(request)


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "customer_id",
        "purpose",
        "granted",
        "source",
        "notice_language",
        "actor",
    ]
    list_filter = ["purpose", "granted", "source", "notice_language"]
    search_fields = ["=customer__id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
