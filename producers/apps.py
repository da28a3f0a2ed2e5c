from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProducersConfig(AppConfig):
    name = "producers"
    verbose_name = _("Chủ thể và sản phẩm OCOP")

    def ready(self):
        from common import privacy

        from .privacy import ProducerData

        privacy.register(ProducerData)
