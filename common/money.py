"""Amounts in đồng as Vietnamese people write them, for every money input (portal forms and API).

Read: `150000`, `150.000`, `150 000` (space, no-break or narrow no-break space), `150,000`, each with
an optional `₫`, `đ`, `d`, `đồng`, `VND` or `VNĐ` (before or after), and `150k` (= 150.000).
A dot, a comma or a space is a thousands separator only between well-formed groups of three digits:
the đồng has no smaller unit, so `150.000` and `150,000` are both 150.000 ₫, never 150 ₫.
Refused, with a Vietnamese reason: groups that are not three digits (`1.50.000`), separators of two
kinds (`1.500,000`), a decimal part (`150,5`, `150.5`, `150.000,00`), `k` after a grouped number
(`1.500k`: thousands of thousands or one and a half?), a sign, letters, and anything outside
[min_value, max_value]. A refusal is always better than an amount 1,000 times too small or large.
"""
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from .formatting import format_thousands, format_vnd

# A price, a listing price, a QR amount or a one-off sale above this is a typo for an OCOP product.
MONEY_CEILING = 1_000_000_000
MAX_LENGTH = 40

MESSAGES = {
    "empty": _("Chưa nhập số tiền."),
    "invalid": _("Không đọc được số tiền “%(value)s”. Hãy viết như 150000, 150.000 hoặc 150.000 ₫."),
    "grouping": _("Số tiền “%(value)s” viết sai nhóm chữ số: sau mỗi dấu phân cách phải có đúng 3 chữ số, "
                  "ví dụ 1.500.000."),
    "mixed": _("Số tiền “%(value)s” dùng lẫn nhiều loại dấu phân cách; hãy viết như 1.500.000."),
    "decimal": _("Số tiền tính bằng đồng, không có phần lẻ: “%(value)s”."),
    "thousands": _("“%(value)s”: chỉ viết “k” ngay sau các chữ số (ví dụ 150k); nếu không, hãy viết đủ "
                   "số tiền, ví dụ 1.500.000."),
    "negative": _("Số tiền không được âm."),
    "json_number": _("Số tiền %(value)s được gửi dạng số thập phân JSON nên không rõ ý; hãy gửi số nguyên "
                     "(150000) hoặc chuỗi (\"150.000\")."),
    "min_value": _("Số tiền tối thiểu là %(limit)s."),
    "max_value": _("Số tiền tối đa là %(limit)s."),
}

_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212\u2013"
_AMOUNT = re.compile(
    r"(?:₫\s*)?"
    rf"(?P<number>[0-9][0-9.,{_SPACES}]*?)"
    r"\s*(?P<thousands>k)?"
    r"\s*(?:₫|đồng|dong|vnđ|vnd|đ|d)?",
    re.IGNORECASE,
)


def _refuse(code, value="", **params):
    shown = value if len(value) <= MAX_LENGTH else value[:MAX_LENGTH] + "…"
    raise ValidationError(MESSAGES[code], code=code, params={"value": shown, **params})


def _read_digits(number, text):
    """The digits of `number` (no sign, no currency), checking the grouping."""
    if number.isdigit():
        return int(number)
    kinds = {" " if c in _SPACES else c for c in number if not c.isdigit()}
    groups = re.split(rf"[.,{_SPACES}]", number)
    if len(kinds) > 1:
        last_separator = next(c for c in reversed(number) if not c.isdigit())
        before_last = number[:number.rindex(last_separator)]
        if last_separator in ".," and len(groups[-1]) in (1, 2) and last_separator not in before_last:
            _refuse("decimal", text)
        _refuse("mixed", text)
    if len(groups) == 2 and kinds <= {".", ","} and len(groups[1]) in (1, 2) and groups[0]:
        _refuse("decimal", text)
    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= 3 or first.startswith("0") or any(len(group) != 3 for group in rest):
        _refuse("grouping", text)
    return int("".join(groups))


class WrittenNumber(float):
    """A JSON number written with a decimal point or an exponent, remembering how (common.parsers):
    `150.000` in a request body is a float 150.0 to json, but for money it is ambiguous."""

    def __new__(cls, text):
        number = super().__new__(cls, text)
        number.written = text
        return number


def parse_vnd(value, *, min_value=0, max_value=MONEY_CEILING):
    """An amount in đồng from what a person typed (or a JSON number); ValidationError otherwise."""
    if isinstance(value, bool):
        _refuse("invalid", str(value))
    if isinstance(value, WrittenNumber):
        _refuse("json_number", value.written)
    if isinstance(value, float):
        if not value.is_integer():
            _refuse("decimal", repr(value))
        value = int(value)
    if isinstance(value, int):
        amount = value
    elif isinstance(value, str):
        amount = _parse_text(value)
    else:
        _refuse("invalid", str(value))
    if amount < 0:
        _refuse("negative")
    if min_value is not None and amount < min_value:
        _refuse("min_value", limit=format_vnd(min_value))
    if max_value is not None and amount > max_value:
        _refuse("max_value", limit=format_vnd(max_value))
    return amount


def _parse_text(value):
    text = unicodedata.normalize("NFC", value).strip(_SPACES + "\t\r\n")
    if not text:
        _refuse("empty")
    if len(value) > MAX_LENGTH:
        _refuse("invalid", text)
    negative = text[0] in _MINUS
    body = text[1:].lstrip(_SPACES) if negative else text
    match = _AMOUNT.fullmatch(body)
    if match is None:
        _refuse("invalid", text)
    number = match["number"]
    if number[-1] in ".," + _SPACES:  # "150.000." or "1.000,"
        _refuse("grouping", text)
    amount = _read_digits(number, text)
    if match["thousands"]:
        if not number.isdigit():
            _refuse("thousands", text)
        amount *= 1000
    return -amount if negative else amount


# --- the form field ------------------------------------------------------------------------------

class MoneyInput(forms.TextInput):
    """A text input: `type=number` would refuse `150.000` in the browser. The phone shows digits."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "placeholder": "150.000", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_thousands(value)
        return super().format_value(value)


class MoneyField(forms.Field):
    widget = MoneyInput

    def __init__(self, *, min_value=0, max_value=MONEY_CEILING, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None or (isinstance(value, str) and not value.strip(_SPACES + "\t\r\n")):
            return None
        return parse_vnd(value, min_value=self.min_value, max_value=self.max_value)


# --- the API field -------------------------------------------------------------------------------

class MoneySerializerField(serializers.Field):
    """A JSON integer or a string written as in the portal; always answered as an integer."""

    def __init__(self, *, min_value=0, max_value=MONEY_CEILING, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip(_SPACES + "\t\r\n") and self.allow_null:
            return None
        try:
            return parse_vnd(data, min_value=self.min_value, max_value=self.max_value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc

    def to_representation(self, value):
        return int(value)


class MoneySerializerFieldSchema(OpenApiSerializerFieldExtension):
    """In the schema: an integer in the answer; an integer or a Vietnamese-written string in a request."""

    target_class = MoneySerializerField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":  # what is stored, which may predate today's ceiling
            return {"type": "integer"}
        field = self.target
        integer = {"type": "integer"}
        if field.min_value is not None:
            integer["minimum"] = field.min_value
        if field.max_value is not None:
            integer["maximum"] = field.max_value
        text = {
            "type": "string", "maxLength": MAX_LENGTH, "example": "150.000",
            "description": "Đồng, as people write it: 150000, 150.000, 150 000, 150.000 ₫, 150.000đ, "
                           "1.500.000 VND, 150k. Refused: decimal parts, mixed or malformed grouping.",
        }
        return {"oneOf": [integer, text]}
