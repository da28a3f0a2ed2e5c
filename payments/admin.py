from django.contrib import admin

from .models import Bank, BankAccount, PaymentCode


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["short_name", "bin", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["short_name", "name", "bin"]
    list_editable = ["is_active"]


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["producer", "bank", "account_number", "is_card", "holder_name", "is_default", "is_active"]
    list_filter = ["bank", "is_card", "is_active"]
    search_fields = ["producer__name", "account_number", "holder_name"]
    autocomplete_fields = ["bank"]
    raw_id_fields = ["producer"]


@admin.register(PaymentCode)
class PaymentCodeAdmin(admin.ModelAdmin):
    list_display = ["reference", "product", "bank_account", "amount", "created_at", "created_by"]
    search_fields = ["reference", "product__name", "product__producer__name"]
    raw_id_fields = ["product", "bank_account", "created_by"]
    readonly_fields = ["reference", "payload", "created_at"]
