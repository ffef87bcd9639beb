"""Staff admin: watch erasure requests and deadlines, read certificates, edit retention
policies and processors. Nothing here deletes, and nothing here opens an erasure: an
erasure starts on the privacy desk (a request whose requester is verified) or from the
customer, never from a form that would skip that verification."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q

from audit.services import staff_actor
from disposal.models import (
    RETENTION_FLOOR_DAYS,
    DisposalRecord,
    ErasureRequest,
    Processor,
    RetentionPolicy,
    WebhookDelivery,
)
from disposal.processors import redeliver, save_processor, unknown_categories
from disposal.retention import set_retention_period
from disposal.webhook_targets import webhook_url_errors
from vault import registry
from vault.services import subject_pseudonym


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "source", "requested_at", "due_by", "completed_at"]
    list_filter = ["status", "source"]
    search_fields = ["=id", "=subject_id"]
    readonly_fields = [
        "id",
        "status",
        "source",
        "requested_by",
        "requested_at",
        "due_by",
        "extended_months",
        "extension_reason",
        "steps_done",
        "rows_erased",
        "attempts",
        "completed_at",
        "error",
    ]
    exclude = ["subject_id", "subject_pseudonym"]
    search_help_text = "Search by request id or customer id (done requests: by pseudonym)."

    def get_search_results(self, request, queryset, search_term):
        # A done request no longer holds the customer id: match its pseudonym too.
        if not search_term.strip():
            return queryset, False
        try:
            subject = uuid.UUID(search_term.strip())
        except ValueError:
            return queryset.none(), False
        return queryset.filter(
            Q(pk=subject) | Q(subject_id=subject) | Q(subject_pseudonym=subject_pseudonym(subject))
        ), False


@admin.register(DisposalRecord)
class DisposalRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "policy", "key_destroyed_at", "backup_horizon", "created_at"]
    list_filter = ["kind", "policy"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "processor", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "processor"]
    exclude = ["notice_customer_id"]
    actions = ["redeliver_selected"]

    def has_redeliver_permission(self, request) -> bool:
        return request.user.has_perm("disposal.change_webhookdelivery")

    @admin.action(description="Send the selected notices again", permissions=["redeliver"])
    def redeliver_selected(self, request, queryset):
        actor = staff_actor(request.user.pk)
        sent, skipped = 0, 0
        for delivery_id in queryset.values_list("pk", flat=True):
            try:
                redeliver(delivery_id=delivery_id, actor=actor)
            except ValidationError:
                skipped += 1
            else:
                sent += 1
        self.message_user(request, f"{sent} notice(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} already delivered: nothing to send.", messages.WARNING
            )


class RetentionPolicyForm(forms.ModelForm):
    force = forms.BooleanField(
        required=False,
        label="Force a period under the floor",
        help_text=f"Under {RETENTION_FLOOR_DAYS} days is refused with a dry-run count of what "
        "would go; tick this only after reading that count.",
    )

    class Meta:
        model = RetentionPolicy
        fields = ["category", "keep_days", "active", "reason"]

    def clean(self):
        data = super().clean()
        if "keep_days" in data and data.get("category"):
            self.instance.category = data["category"]
            try:
                set_retention_period(
                    policy=self.instance,
                    keep_days=data["keep_days"],
                    force=bool(data.get("force")),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    form = RetentionPolicyForm
    list_display = ["category", "keep_days", "below_floor_forced", "active", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


def category_choices() -> list[tuple[str, str]]:
    names = sorted({entry.category for entry in registry.entries()})
    return [(name, name) for name in names]


class ProcessorForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        choices=category_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The data categories the processing agreement covers.",
    )
    webhook_url = forms.URLField(assume_scheme="https", help_text="Where erasure notices go.")
    new_webhook_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        help_text=(
            "Stored encrypted; leave empty to keep the current secret. Use the Standard "
            "Webhooks form whsec_<base64 of 32 random bytes> (docs/storefront/webhooks.md "
            "shows how to make one)."
        ),
    )

    class Meta:
        model = Processor
        fields = [
            "name",
            "slug",
            "agreement_reference",
            "agreement_signed_on",
            "agreement_ends_on",
            "categories",
            "country",
            "transfer_safeguard",
            "webhook_url",
            "active",
        ]

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        errors = webhook_url_errors(url)
        if errors:
            raise forms.ValidationError(errors)
        return url

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def clean_categories(self):
        categories = sorted(self.cleaned_data["categories"])
        errors = unknown_categories(categories)
        if errors:
            raise forms.ValidationError(errors)
        return categories

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not data.get("new_webhook_secret"):
            self.add_error("new_webhook_secret", "A new processor needs a webhook secret.")
        return data


@admin.register(Processor)
class ProcessorAdmin(admin.ModelAdmin):
    form = ProcessorForm
    list_display = ["name", "slug", "agreement_reference", "agreement_signed_on", "active"]
    list_filter = ["active"]

    def save_model(self, request, obj, form, change):
        save_processor(
            processor=obj, webhook_secret=form.cleaned_data.get("new_webhook_secret") or None
        )

    def has_delete_permission(self, request, obj=None):
        return False
