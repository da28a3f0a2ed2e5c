from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Niêm yết trên sàn")

    def ready(self):
        # The periodic tasks of this app join whatever schedule settings already define.
        from config.celery_app import app

        from .tasks import BEAT_SCHEDULE

        app.conf.beat_schedule = {**BEAT_SCHEDULE, **(app.conf.beat_schedule or {})}

        from common import privacy

        from .privacy import ShopsData

        privacy.register(ShopsData)
