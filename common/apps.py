from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"

    def ready(self):
        from . import schema  # noqa: F401 - registers the OpenAPI extension of our authentication
        from .logging import install_record_factory

        install_record_factory()
        _strict_text_fields()


def _strict_text_fields():
    """DRF turns a JSON number into text (`"old_district": 0` becomes "0"); our API documents text
    fields as strings, so a number there is refused with the usual 400 instead of stored."""
    from rest_framework import serializers

    if getattr(serializers.CharField, "_ocop_strict", False):
        return
    original = serializers.CharField.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    serializers.CharField.to_internal_value = to_internal_value
    serializers.CharField._ocop_strict = True
