"""Text fields of the API take text only (common.serializers): a JSON number where the API documents a
string is a 400, in every serializer, including the ones written after this test."""
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from rest_framework import serializers

from common.serializers import (
    StrictCharField,
    StrictModelSerializer,
    StrictSerializer,
    StrictTextMixin,
)
from producers.models import Producer, ProductGroup


def _project_serializers():
    """Every serializer class the apps define (their API modules imported as the URLconf does)."""
    import_module(settings.ROOT_URLCONF)
    autodiscover_modules("api", "serializers")
    project = {config.name for config in apps.get_app_configs() if Path(config.path).parent == settings.BASE_DIR}
    found, todo = set(), [serializers.BaseSerializer]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in project and subclass.__module__ != "common.serializers":
                found.add(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _lax_text_fields(field, path):
    """Paths of the writable DRF text fields under `field` that still take a JSON number."""
    if isinstance(field, serializers.ListSerializer):
        return _lax_text_fields(field.child, path)
    if isinstance(field, serializers.BaseSerializer):
        return [lax for name, child in field.fields.items() for lax in _lax_text_fields(child, f"{path}.{name}")]
    if isinstance(field, (serializers.ListField, serializers.DictField)):
        return _lax_text_fields(field.child, f"{path}[]")
    if isinstance(field, serializers.CharField) and not field.read_only and not isinstance(field, StrictTextMixin):
        return [path]
    return []


@pytest.mark.parametrize("value", [0, 1.5, True, ["text"], {"text": 1}])
def test_a_strict_text_field_refuses_what_is_not_text(value):
    serializer = type("Input", (StrictSerializer,), {"note": StrictCharField()})(data={"note": value})
    assert not serializer.is_valid()
    assert [error.code for error in serializer.errors["note"]] == ["invalid"]


def test_a_strict_text_field_takes_text_as_drf_does():
    serializer = type("Input", (StrictSerializer,), {"note": StrictCharField(max_length=5)})(data={"note": " Mộc "})
    assert serializer.is_valid() and serializer.validated_data == {"note": "Mộc"}


def test_model_text_fields_become_strict():
    class ProducerInput(StrictModelSerializer):
        class Meta:
            model = Producer
            fields = ["name", "old_district", "email", "address"]

    class GroupInput(StrictModelSerializer):
        class Meta:
            model = ProductGroup
            fields = ["code", "name"]

    assert _lax_text_fields(ProducerInput(), "ProducerInput") == []
    assert _lax_text_fields(GroupInput(), "GroupInput") == []
    serializer = ProducerInput(data={"name": 7, "old_district": 0, "email": 1, "address": False})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"name", "old_district", "email", "address"}


def test_drf_itself_is_not_patched():
    # the strictness comes from our bases, not from a change to DRF made at start-up
    serializer = type("Plain", (serializers.Serializer,), {"note": serializers.CharField()})(data={"note": 0})
    assert serializer.is_valid() and serializer.validated_data == {"note": "0"}


def test_every_serializer_of_the_apps_derives_from_a_strict_base():
    found = _project_serializers()
    assert len(found) > 20, found
    lax = [f"{cls.__module__}.{cls.__qualname__}" for cls in found
           if not issubclass(cls, (StrictSerializer, StrictModelSerializer))]
    assert lax == []


def test_no_serializer_of_the_apps_has_a_writable_text_field_that_takes_numbers():
    lax = [path for cls in _project_serializers() for path in _lax_text_fields(cls(), cls.__qualname__)]
    assert lax == []
