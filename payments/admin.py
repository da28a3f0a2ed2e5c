from django.contrib import admin

from .models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["short_name", "bin", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["short_name", "name", "bin"]
    list_editable = ["is_active"]


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["producer", "bank", "account_number", "is_card", "holder_name", "is_default", "is_active",
                    "review_status"]
    list_filter = ["review_status", "bank", "is_card", "is_active"]
    search_fields = ["producer__name", "account_number", "holder_name"]
    autocomplete_fields = ["bank"]
    raw_id_fields = ["producer"]
    readonly_fields = ["created_by", "reviewed_by", "reviewed_at"]


@admin.register(PaymentCode)
class PaymentCodeAdmin(admin.ModelAdmin):
    list_display = ["reference", "product", "bank_account", "amount", "created_at", "created_by"]
    search_fields = ["reference", "product__name", "product__producer__name"]
    raw_id_fields = ["product", "bank_account", "created_by"]
    readonly_fields = ["reference", "payload", "created_at"]


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["id", "provider", "state", "signature_valid", "amount", "account_number", "producer", "received_at"]
    list_filter = ["provider", "state", "signature_valid"]
    search_fields = ["dedup_key", "external_id", "content", "account_number"]
    raw_id_fields = ["producer", "bank_account", "duplicate_of", "resolved_by"]
    readonly_fields = ["body", "headers", "received_at", "processed_at"]


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["id", "product", "producer", "source", "marketplace", "quantity", "amount", "status", "occurred_at"]
    list_filter = ["source", "status", "marketplace"]
    search_fields = ["external_id", "product__name", "producer__name"]
    raw_id_fields = ["product", "producer", "marketplace_account", "listing", "payment_code", "inbound_event",
                     "recorded_by", "confirmed_by", "rejected_by"]
    date_hierarchy = "occurred_at"

    def get_actions(self, request):
        # No bulk actions: the dashboard's summaries follow instance saves and deletes only.
        return {}
