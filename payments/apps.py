from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from common import privacy

        from .privacy import PaymentsData

        privacy.register(PaymentsData)
