from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"

    def ready(self):
        from .logging import install_record_factory

        install_record_factory()
