"""Whole numbers (a stock, a quantity, grams) typed the Vietnamese way, for forms and the API.

Django's and DRF's IntegerField drop a trailing `.000` as a decimal part: `1.000` typed for a
thousand units was saved as 1 with no error. Here a dot, a comma or a space between well-formed
groups of three digits is a thousands separator (`1.000`, `1 000`, `1,000` are 1000, as in
common.money); any other separator (`1.5`, `1.50`, `10.00.000`) is refused with a Vietnamese message.
"""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .money import WrittenNumber

_SPACES = " \u00a0\u202f\u2009"
_GROUPED = re.compile(rf"[1-9][0-9]{{0,2}}(?P<sep>[.,{_SPACES}])[0-9]{{3}}(?:(?P=sep)[0-9]{{3}})*")
NOT_WHOLE = _("“%(value)s” không phải số nguyên. Hãy viết như 1000 hoặc 1.000.")


def ungroup(value):
    """`value` with its thousands separators removed when it is a grouped whole number; a text with
    any other separator is refused; anything else is returned unchanged for the integer field."""
    if not isinstance(value, str):
        return value
    text = value.strip(_SPACES + "\t\r\n")
    if _GROUPED.fullmatch(text):
        return re.sub(rf"[.,{_SPACES}]", "", text)
    if any(c in text for c in ".,eE" + _SPACES):
        raise ValidationError(NOT_WHOLE, code="invalid", params={"value": text[:40]})
    return text


class WholeNumberField(forms.IntegerField):
    widget = forms.TextInput

    def __init__(self, **kwargs):
        messages = kwargs.setdefault("error_messages", {})
        messages.setdefault("invalid", _("Hãy nhập một số nguyên, ví dụ 1000 hoặc 1.000."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(ungroup(value))


class WholeNumberSerializerField(serializers.IntegerField):
    """An integer in JSON, or a string typed as a person writes it (`"1.000"` is 1000)."""

    def to_internal_value(self, data):
        if isinstance(data, WrittenNumber):  # `1.000` as a JSON number: json says 1.0
            raise serializers.ValidationError(NOT_WHOLE % {"value": data.written}, code="invalid")
        if isinstance(data, str):
            try:
                data = ungroup(data)
            except ValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return super().to_internal_value(data)


def query_id(value):
    """A primary key from a query string, or None: str.isdigit() also takes `²` and 5,000 digits,
    which int() or the database then refuse with a 500."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
