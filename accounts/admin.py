from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm

from common.phones import PhoneField

from .models import User


class UserAdminForm(UserChangeForm):
    phone = PhoneField(label=User._meta.get_field("phone").verbose_name, required=False)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminForm
    fieldsets = BaseUserAdmin.fieldsets + (("OCOP", {"fields": ("full_name", "phone")}),)
    list_display = ("username", "email", "full_name", "is_staff", "is_active")
