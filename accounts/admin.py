from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("OCOP", {"fields": ("full_name", "phone")}),)
    list_display = ("username", "email", "full_name", "is_staff", "is_active")
