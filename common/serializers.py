"""The API's serializer bases: text fields take text only.

DRF turns a JSON number into text (`"old_district": 0` is stored as "0"); our API documents text
fields as strings, so a number (or true, a list...) there is refused with the usual 400 instead.
Every serializer of the apps derives from `StrictSerializer` or `StrictModelSerializer` and declares
its text fields with the strict fields below (tests/common/test_strict_serializers.py checks it).
"""
from django.db import models
from rest_framework import serializers


class StrictTextMixin:
    """For DRF's CharField and its subclasses (email, slug, URL, regex, IP address)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictTextMixin, serializers.CharField):
    pass


class StrictEmailField(StrictTextMixin, serializers.EmailField):
    pass


class StrictSlugField(StrictTextMixin, serializers.SlugField):
    pass


class StrictURLField(StrictTextMixin, serializers.URLField):
    pass


class StrictRegexField(StrictTextMixin, serializers.RegexField):
    pass


class StrictIPAddressField(StrictTextMixin, serializers.IPAddressField):
    pass


# The two bases have comments, not docstrings: drf-spectacular would print a base's docstring as the
# description of every schema derived from it.


class StrictSerializer(serializers.Serializer):
    # Declare its text fields as StrictCharField (or another strict field).
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    # Model text fields (CharField, TextField, EmailField, SlugField, URLField, IP address) become
    # strict fields; declared fields are declared strict by hand, as in StrictSerializer.

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.GenericIPAddressField: StrictIPAddressField,
    }
