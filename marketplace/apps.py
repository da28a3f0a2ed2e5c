from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self):
        # Order pushes are processed by payments' inbound-event task through our processor;
        # periodic order polling joins whatever schedule settings already define.
        from config.celery_app import app
        from payments.services import register_event_processor

        from . import services
        from .tasks import BEAT_SCHEDULE

        for provider in services.PUSH_PROVIDERS:
            register_event_processor(provider, services.order_event_process)
        app.conf.beat_schedule = {**BEAT_SCHEDULE, **(app.conf.beat_schedule or {})}
