"""Staff admin for customers: sensitive fields masked, no deletes (erasure goes through
the disposal pipeline), no creation outside the consent-checking service."""

from django.contrib import admin

from customers import selectors
from customers.models import Customer, Interaction, Product, Purchase
from vault.exceptions import KeyDestroyed
from vault.masking import mask_email, mask_phone, mask_text
from vault.services import preload

ERASED = "[erased]"


def _masked(customer: Customer, field: str, mask) -> str:
    try:
        return mask(getattr(customer, field))
    except KeyDestroyed:
        return ERASED


class PurchaseInline(admin.TabularInline):
    model = Purchase
    extra = 0
    fields = ["order_id", "product", "quantity", "unit_price", "purchased_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "masked_email", "masked_name", "created_at"]
    search_fields = ["id"]
    search_help_text = "Search by exact email, external id or customer id."
    readonly_fields = [
        "id",
        "masked_external_id",
        "masked_email",
        "masked_name",
        "masked_phone",
        "masked_address",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [PurchaseInline]

    @admin.display(description="external id")
    def masked_external_id(self, obj):
        return _masked(obj, "external_id", mask_text)

    @admin.display(description="email")
    def masked_email(self, obj):
        return _masked(obj, "email", mask_email)

    @admin.display(description="full name")
    def masked_name(self, obj):
        return _masked(obj, "full_name", mask_text)

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return _masked(obj, "phone", mask_phone)

    @admin.display(description="postal address")
    def masked_address(self, obj):
        return _masked(obj, "postal_address", mask_text)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = (
            (selectors.customer_by_email(term) if "@" in term else None)
            or selectors.customer_by_external_id(term)
            or selectors.customer_get(term)
        )
        return queryset.filter(pk=match.pk if match else None), False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        preload(customer.pk for customer in changelist.result_list)  # one key query a page
        return changelist

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "price"]
    list_filter = ["category"]
    search_fields = ["sku", "name"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["id", "customer_id", "channel", "occurred_at", "created_by"]
    list_filter = ["channel"]
    fields = ["customer_id", "channel", "occurred_at", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
