from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self):
        from django.contrib import admin

        from . import signals  # noqa: F401
        from .forms import AdminLoginForm

        admin.site.login_form = AdminLoginForm

        from common import privacy

        from .privacy import PeopleData

        privacy.register(PeopleData)
