from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Niêm yết trên sàn")

    def ready(self):
        from common import privacy

        from .privacy import ShopsData

        privacy.register(ShopsData)
