from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"

    def ready(self):
        from . import schema  # noqa: F401 - registers the OpenAPI extension of our authentication
        from .logging import install_record_factory

        install_record_factory()
