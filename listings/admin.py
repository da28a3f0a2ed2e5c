from django.contrib import admin

from .models import CategoryMapping, Listing, ListingAttempt, ListingStatusChange, MarketplaceAccount


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("group", "marketplace", "category_id", "category_name")
    list_filter = ("marketplace", "group")
    list_editable = ("category_id", "category_name")
    search_fields = ("category_id", "category_name")


@admin.register(MarketplaceAccount)
class MarketplaceAccountAdmin(admin.ModelAdmin):
    list_display = ("producer", "marketplace", "shop_id", "shop_name", "status", "access_expires_at",
                    "refresh_expires_at", "last_order_sync_at")
    list_filter = ("marketplace", "status")
    search_fields = ("shop_id", "shop_name", "producer__name")
    # Tokens are never shown, not even encrypted.
    exclude = ("access_token", "refresh_token", "credentials_extra")
    readonly_fields = ("connected_at", "connected_by", "created_at", "updated_at")
    raw_id_fields = ("producer",)


class StatusChangeInline(admin.TabularInline):
    model = ListingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "reason")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("product", "account", "status", "external_id", "status_changed_at")
    list_filter = ("status", "account__marketplace")
    search_fields = ("product__name", "external_id", "account__shop_name")
    raw_id_fields = ("product", "account", "created_by")
    # The status changes only through Listing.transition (the services), never by hand here.
    readonly_fields = ("status", "status_message", "status_changed_at", "enqueued_at", "live_since",
                       "delisted_at", "created_at", "updated_at")
    inlines = [StatusChangeInline]


@admin.register(ListingAttempt)
class ListingAttemptAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "listing", "operation", "call", "status_code", "duration_ms")
    list_filter = ("operation", "account__marketplace")
    raw_id_fields = ("listing", "account")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
