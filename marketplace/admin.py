from django.contrib import admin

from .models import SandboxItem, SandboxOrder


@admin.register(SandboxItem)
class SandboxItemAdmin(admin.ModelAdmin):
    list_display = ("external_id", "shop_id", "sku", "name", "price", "stock", "active")
    list_filter = ("active",)
    search_fields = ("external_id", "sku", "name", "shop_id")


@admin.register(SandboxOrder)
class SandboxOrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "shop_id", "sku", "quantity", "amount", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("external_id", "sku", "shop_id")
